"""book: Markdown chapters -> a print-ready PDF, through Jinja2 templates and WeasyPrint."""

__version__ = "0.1.0"

from .libraries import install as _install_libraries

_install_libraries()  # before anything imports the engine
