"""Stage 6: a written PDF -> findings a print shop would raise (fonts, glyphs, images, boxes, placement)."""

from .checks import exit_code, preflight, report_path, write_report

__all__ = ["exit_code", "preflight", "report_path", "write_report"]
