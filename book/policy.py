"""Raw HTML written in a chapter -> None when it is in the safe subset, else why not.

Raw HTML in chapters is limited to a few inline tags with harmless attributes
(documented in README); no blocks, no <script>, <link>, <style>, <object>,
<embed>, <iframe> or attachment links. What WeasyPrint may fetch is confined
separately, by `paginate.ConfinedFetcher`.
"""

from __future__ import annotations

import re

SAFE_TAGS = frozenset({"br", "wbr", "sup", "sub", "small", "span", "abbr", "i", "b", "em",
                       "strong", "cite", "q", "s", "u"})
"""Inline tags an editor may write as raw HTML."""
SAFE_ATTRS = frozenset({"class", "title", "lang"})
"""Attributes allowed on them."""

TAG = re.compile(r"^<(/?)([A-Za-z][A-Za-z0-9-]*)((?:\s+[^>]*)?)\s*/?>$", re.S)
ATTR = re.compile(r"([^\s=/]+)(?:\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s>]+))?")


def check_html_tag(raw: str) -> str | None:
    """None when an inline raw HTML tag is allowed, else what is wrong and what to do."""
    raw = raw.strip()
    if raw.startswith("<!--"):
        return None
    match = TAG.match(raw)
    if not match:
        return f"raw HTML {raw[:30]!r} is not allowed; write Markdown instead"
    name = match.group(2).lower()
    if name not in SAFE_TAGS and match.group(1):
        return None  # the opening tag was reported already
    if name not in SAFE_TAGS:
        return (f"raw HTML <{name}> is not allowed; write Markdown instead "
                f"(allowed inline tags: {', '.join(sorted(SAFE_TAGS))})")
    for attr, _ in ATTR.findall(match.group(3) or ""):
        if attr.lower() not in SAFE_ATTRS:
            return f"attribute {attr}= on <{name}> is not allowed; only {', '.join(sorted(SAFE_ATTRS))}"
    return None
