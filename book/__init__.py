"""book: Markdown chapters -> a print-ready PDF, through Jinja2 templates and WeasyPrint."""

__version__ = "0.1.0"
