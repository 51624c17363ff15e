"""Stage 2: citations: `[@key, p. 3]` parsed (parse.py) and formatted in Chicago style (chicago.py)."""

from .chicago import bibliography_sort_text, format_bibliography_entry, format_date, format_note, house_style, house_titles
from .parse import CitationError, CiteItem, parse_citation

__all__ = ["CitationError", "CiteItem", "bibliography_sort_text", "format_bibliography_entry",
           "format_date", "format_note", "house_style", "house_titles", "parse_citation"]
