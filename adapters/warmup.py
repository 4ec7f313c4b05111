"""Loading the embedding model at start-up, so no chat request waits for it: one way for every adapter."""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from corpus.api import Corpus

log = logging.getLogger(__name__)


def warm_up(corpus: Corpus) -> None:
    """Load the embedding model now (call it off any event loop); the fake embedder has nothing to load."""
    load = getattr(corpus.embedder, "load", None)
    if not callable(load):
        return
    try:
        load()
        log.info("embedding model loaded")
    except Exception:
        log.exception("could not load the embedding model at start-up; it will load on first use")
