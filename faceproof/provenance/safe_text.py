"""Text out of untrusted metadata, made safe to show: bounded, printable, one line."""

from __future__ import annotations

import unicodedata

MAX_TEXT = 120
MAX_ITEMS = 20


def safe_text(value: object, limit: int = MAX_TEXT) -> str | None:
    """A printable one-line string of at most `limit` characters, or None when empty.

    Bytes are decoded as UTF-8 with replacement; control and format characters (bidi
    overrides among them) are dropped; runs of whitespace become one space.
    """
    if value is None:
        return None
    if isinstance(value, bytes | bytearray):
        value = bytes(value[: limit * 4]).decode("utf-8", "replace")
    text = str(value)[: limit * 4]
    text = "".join(
        " " if ch.isspace() else ch
        for ch in text
        if ch.isspace() or unicodedata.category(ch)[0] != "C"
    )
    text = " ".join(text.split()).strip("\x00 ")
    if not text:
        return None
    return text if len(text) <= limit else text[: limit - 1] + "…"
