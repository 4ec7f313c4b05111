"""Reply -> Slack messages in Block Kit, within Slack's limits, every piece of text escaped."""
from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from adapters.slack.markup import bold, escape, escaped_len, link
from bot.feedback import shareable, votable
from bot.reply import Citation, Reply, Section

TEXT_LIMIT = 3000       # characters in one text object
HEADER_LIMIT = 150      # characters in a header block
MAX_BLOCKS = 50         # blocks in one message
CONTEXT_ELEMENTS = 10   # elements in one context block
MAX_MESSAGES = 5        # a response_url takes at most five posts
FALLBACK_LIMIT = 600    # the notification text: a summary, the blocks carry the rest

Block = dict[str, Any]
Message = dict[str, Any]
ANSWER_BLOCK = "gapbot-answer:"  # a block_id prefix: the answer a posted message shows, for threads and votes
VOTE_UP, VOTE_DOWN, SHARE = "gapbot_vote_up", "gapbot_vote_down", "gapbot_share"  # the buttons' action_ids
_TOKEN = re.compile(r"@(?:channel|here|everyone)\b|.", re.IGNORECASE | re.DOTALL)


def render(reply: Reply, *, max_messages: int = MAX_MESSAGES) -> list[Message]:
    """The reply as Slack messages, each {"blocks": [...], "text": fallback}; long replies span several."""
    blocks = title_blocks(reply.title) + [b for s in reply.sections for b in section_blocks(s)]
    blocks += source_blocks(reply.sources()) + context_blocks(reply.footer or "")
    pages = with_buttons(paginate(blocks, max_messages=max_messages), feedback_blocks(reply),
                         max_messages=max_messages)
    text = fallback(reply)
    return [{"blocks": page, "text": text if i == 0 else f"{text[:200]} (part {i + 1} of {len(pages)})"}
            for i, page in enumerate(pages)]


def answer_block_id(answer_id: str) -> str:
    """The block_id that marks a block as part of the answer with this id (Slack returns it)."""
    return f"{ANSWER_BLOCK}{answer_id}"


def feedback_blocks(reply: Reply) -> list[Block]:
    """The 👍/👎 buttons (and "Share with channel" on a private answer) under an answer from the articles,
    in an actions block whose block_id names the answer."""
    if not votable(reply) or reply.answer_id is None:
        return []
    buttons = [_button(VOTE_UP, "👍", reply.answer_id), _button(VOTE_DOWN, "👎", reply.answer_id)]
    if shareable(reply):
        buttons.append(_button(SHARE, "Share with channel", reply.answer_id) | {"style": "primary"})
    return [{"type": "actions", "block_id": answer_block_id(reply.answer_id), "elements": buttons}]


def with_buttons(pages: list[list[Block]], tail: list[Block], *, max_messages: int) -> list[list[Block]]:
    """The pages with the buttons at the end of the last one (on a page of their own if it is full)."""
    if not tail:
        return pages
    if len(pages[-1]) + len(tail) <= MAX_BLOCKS:
        return pages[:-1] + [pages[-1] + tail]
    if len(pages) < max_messages:
        return pages + [tail]
    return pages[:-1] + [pages[-1][:MAX_BLOCKS - len(tail)] + tail]


def _button(action_id: str, label: str, value: str) -> Block:
    return {"type": "button", "action_id": action_id, "value": value,
            "text": {"type": "plain_text", "text": label, "emoji": True}}


def answer_id_in(message: dict[str, Any]) -> str | None:
    """The id of the answer a Slack message shows, from the block_id its blocks carry; None if none."""
    for block in message.get("blocks") or []:
        block_id = str(block.get("block_id") or "")
        if block_id.startswith(ANSWER_BLOCK) and len(block_id) > len(ANSWER_BLOCK):
            return block_id[len(ANSWER_BLOCK):]
    return None


def title_blocks(title: str) -> list[Block]:
    """A header block, or bold sections when the title is longer than a header may be."""
    title = title.strip()
    if not title:
        return []
    if escaped_len(title) <= HEADER_LIMIT and "\n" not in title:
        # Slack decodes the three entities in plain_text too, so escaping costs nothing and is uniform
        return [{"type": "header", "text": {"type": "plain_text", "text": escape(title), "emoji": True}}]
    # a title of asterisks alone is nothing in bold; Slack refuses a section with empty text
    return [_section(text) for chunk in split_text(title, TEXT_LIMIT - 2) if (text := bold(chunk))]


def section_blocks(section: Section) -> list[Block]:
    """One section block per 3,000 characters of text, the heading in bold on top."""
    heading = bold(section.heading or "")
    chunks = split_text(section.text, TEXT_LIMIT - len(heading) - 1) if section.text.strip() else []
    if heading:
        chunks = [f"{heading}\n{chunks[0]}" if chunks else heading] + chunks[1:]
    return [_section(chunk) for chunk in chunks]


def source_blocks(citations: list[Citation]) -> list[Block]:
    """Numbered sources (one per article) linking to the articles, as context lines of up to ten each."""
    elements = [_mrkdwn(source_line(c)) for c in citations]
    return [{"type": "context", "elements": elements[i:i + CONTEXT_ELEMENTS]}
            for i in range(0, len(elements), CONTEXT_ELEMENTS)]


def source_line(citation: Citation) -> str:
    """"[n] <url|Title — Publisher — date>", short enough for one context element."""
    label = citation.label()
    if len(label) > 300:
        label = label[:299] + "…"
    return f"[{citation.n}] {link(citation.url, label)}"


def context_blocks(text: str) -> list[Block]:
    """Small grey text (the footer), split to the limit."""
    if not text.strip():
        return []
    return [{"type": "context", "elements": [_mrkdwn(chunk)]} for chunk in split_text(text, TEXT_LIMIT)]


def paginate(blocks: list[Block], *, max_messages: int = MAX_MESSAGES) -> list[list[Block]]:
    """Blocks in pages of at most 50; past max_messages pages the last one says the rest was cut."""
    pages = [blocks[i:i + MAX_BLOCKS] for i in range(0, len(blocks), MAX_BLOCKS)] or [[]]
    if len(pages) > max_messages:
        pages = pages[:max_messages]
        note = "…the rest of this reply was too long for Slack. Try a narrower question."
        pages[-1] = pages[-1][:MAX_BLOCKS - 1] + [{"type": "context", "elements": [_mrkdwn(escape(note))]}]
    return pages


def fallback(reply: Reply) -> str:
    """The `text` Slack shows in notifications and to screen readers: title and the start of the answer."""
    plain = "\n".join([reply.title] + [s.text for s in reply.sections]).strip() or reply.command
    return split_text(plain, FALLBACK_LIMIT)[0] + ("…" if escaped_len(plain) > FALLBACK_LIMIT else "")


def split_text(text: str, limit: int) -> list[str]:
    """Escaped text in pieces of at most limit characters, broken at line ends, else spaces, else anywhere."""
    chunks: list[str] = []
    current = ""
    for piece in _pieces(text, limit):
        if current and len(current) + len(piece) > limit:
            chunks.append(current)
            current = ""
        current += piece
    chunks.append(current)
    return [c.rstrip().lstrip("\n") for c in chunks if c.strip()] or [""]


def _pieces(text: str, limit: int) -> Iterator[str]:
    """Escaped lines, words or characters, each at most limit long; joined they make the escaped text."""
    for line in re.split(r"(?<=\n)", text):
        if escaped_len(line) <= limit:
            yield escape(line)
            continue
        for word in re.split(r"(?<= )", line):
            if escaped_len(word) <= limit:
                yield escape(word)
            else:
                yield from _hard_split(word, limit)


def _hard_split(word: str, limit: int) -> Iterator[str]:
    """A word longer than the limit cut between characters, never inside an escape or an @here."""
    current: list[str] = []
    size = 0
    for m in _TOKEN.finditer(word):
        n = escaped_len(m[0])
        if current and size + n > limit:
            yield escape("".join(current))
            current, size = [], 0
        current.append(m[0])
        size += n
    if current:
        yield escape("".join(current))


def _section(text: str) -> Block:
    return {"type": "section", "text": _mrkdwn(text)}


def _mrkdwn(text: str) -> dict[str, Any]:
    # verbatim: Slack must not turn bare names or URLs in corpus text into links or mentions
    return {"type": "mrkdwn", "text": text, "verbatim": True}
