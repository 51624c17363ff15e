"""The command for a build without the typographic adjustments, for the benchmarks' --unadjusted.

The adjustments (loose lines, short pages and the baseline grid: layout/adjust.py) lay each chapter
out again and again. They are what a print build costs beyond its plain layouts; `book watch`
leaves them out of its quick drafts. The CLI has no switch for them (a print PDF sent to the
printer is always adjusted), so the benchmarks time `pipeline.build(..., adjust=False)`, in a
process of its own that ends as `book build` does (no interpreter teardown: cli.leave), with
everything else of a print build kept: PDF/X finishing, contents, index, cover and preflight.
"""

from __future__ import annotations

from pathlib import Path

CODE = """
import sys
from pathlib import Path
from book import cli, pipeline
pipeline.build(Path(sys.argv[1]), Path(sys.argv[2]), html=sys.argv[4] == "html", jobs=int(sys.argv[3]), adjust=False)
cli.leave(0)
"""


def command(python: str, source: Path, out: Path, jobs: int, html: bool) -> list[str]:
    """The command line that builds the print edition of source into out, unadjusted."""
    return [python, "-c", CODE, str(source), str(out), str(jobs), "html" if html else "no-html"]
