"""The bundled seed articles, shipped as package data so a fresh install answers at once."""
from __future__ import annotations

from importlib import resources
from pathlib import Path


def seed_paths() -> list[Path]:
    """Paths of the bundled seed files, in name order."""
    folder = resources.files("corpus") / "seeds"
    return sorted(Path(str(p)) for p in folder.iterdir() if p.name.endswith(".txt"))
