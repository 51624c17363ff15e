"""Text helpers every stage shares: the one form names are compared in, and inline HTML as text."""

from __future__ import annotations

import re
import unicodedata
from html import escape, unescape


def normalize(text: str) -> str:
    """The form names are matched in: NFC, one space, straight apostrophes."""
    text = unicodedata.normalize("NFC", text)
    text = re.sub(r"[’‘ʼ`´]", "'", text)
    return " ".join(text.split())


def plain(html: str) -> str:
    """Inline HTML -> its text."""
    return unescape(re.sub(r"<[^>]+>", "", html)).strip()


def keep_last_words(text: str) -> str:
    """Escaped text whose last two words cannot be parted (no lone word on the last line of a title)."""
    words = escape(text).split()
    if len(words) < 3:
        return " ".join(words)
    return " ".join(words[:-2]) + " " + words[-2] + "\u00a0" + words[-1]
