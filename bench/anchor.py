"""Issue 17's benchmark: `book build --edition print` against bare WeasyPrint on plain HTML of the same text.

Usage: python bench/anchor.py [--runs 5] [--chapters 16] [--keep DIR] [--before SRC] [--ours] [--jobs2]
                              [--unadjusted]

Writes the corpus of bench/corpus.py (about 200 pages at 16 chapters), then runs, in turn, each
command as a separate process under /usr/bin/time -v: `book build --edition print --jobs 1` (PDF/X
finishing, contents, index, cover and preflight included; one process, and with --jobs2 also two),
optionally the same build from an
older checkout (--before: a source tree put first on PYTHONPATH, e.g. from `git archive`), and
bare `weasyprint plain.html`; with --ours also bare `weasyprint` on the book's own HTML (the
preview the build writes), its stylesheet copied without the `target-counter()` rules, so that
what our HTML and CSS cost the engine is measured apart from the pipeline and from the second
pagination cross-references cause; with --unadjusted also the one-process build without the
typographic adjustments (bench/unadjusted.py), everything else of it kept. Each run takes the
commands in another order (each run starts one further along), so that none is always the first
of its run. Each run is printed with its wall time, seconds per 100 pages and peak memory; then the
median ratios per page against the anchor.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import unquote, urlsplit

from pypdf import PdfReader

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from corpus import write_corpus  # noqa: E402
import unadjusted  # noqa: E402

BIN = Path(sys.executable).parent


def measured(command: list[str], env: dict | None = None) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds (user + system: steadier than wall time on a shared machine) and
    peak resident MiB of one command; stops the benchmark if it fails. It runs in
    the temporary folder: `python -m book` started in a checkout would import that checkout's
    `book` before the one --before puts on PYTHONPATH."""
    started = time.perf_counter()
    done = subprocess.run(["/usr/bin/time", "-v"] + command, env=env, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True, cwd=tempfile.gettempdir())
    seconds = time.perf_counter() - started
    if done.returncode:
        sys.exit(f"failed: {' '.join(command)}\n{done.stderr[-2000:]}")
    peak = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)
    cpu = sum(float(v) for v in re.findall(r"(?:User|System) time \(seconds\): ([\d.]+)", done.stderr))
    return seconds, cpu, int(peak.group(1)) / 1024 if peak else float("nan")


def own_html(python: str, source: Path, work: Path) -> Path:
    """The book's HTML preview, linked to a copy of its stylesheets without target-counter() (the
    fonts linked beside them); returns the HTML file."""
    subprocess.run([python, "-m", "book", "build", "--source", str(source), "--out", str(work / "out-html"),
                    "--draft", "--quiet"], check=True, cwd=tempfile.gettempdir())
    html = (work / "out-html" / "synthetic.html").read_text(encoding="utf-8")
    styles = work / "styles"
    styles.mkdir(exist_ok=True)
    for url in set(re.findall(r'href="(file://[^"]+\.css)"', html)):
        original = Path(unquote(urlsplit(url).path))
        kept = [line for line in original.read_text(encoding="utf-8").splitlines() if "target-counter(" not in line]
        (styles / original.name).write_text("\n".join(kept) + "\n", encoding="utf-8")
        if not (styles / "fonts").exists():
            (styles / "fonts").symlink_to(original.parent / "fonts")
        html = html.replace(url, (styles / original.name).as_uri())
    (work / "ours.html").write_text(html, encoding="utf-8")
    return work / "ours.html"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--chapters", type=int, default=16)
    parser.add_argument("--keep", type=Path, help="write the corpus and outputs here instead of a temporary folder")
    parser.add_argument("--before", type=Path, help="a source tree of an older `book` to compare with")
    parser.add_argument("--ours", action="store_true",
                        help="also bare WeasyPrint on the book's own HTML, without target-counter()")
    parser.add_argument("--jobs2", action="store_true", help="also `book build --jobs 2`")
    parser.add_argument("--unadjusted", action="store_true",
                        help="also the one-process build without the typographic adjustments")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="book-anchor-"))
    source = write_corpus(work, args.chapters)
    python = str(BIN / "python")
    # one process (--jobs 1), so that this gains are told apart from the parallel layout's
    commands = {"book": ([python, "-m", "book", "build", "--source", str(source), "--out", str(work / "out"),
                          "--no-html", "--quiet", "--jobs", "1"], None)}
    if args.jobs2:
        commands["book jobs 2"] = ([python, "-m", "book", "build", "--source", str(source),
                                    "--out", str(work / "out2"), "--no-html", "--quiet", "--jobs", "2"], None)
    if args.before:
        env = dict(os.environ, PYTHONPATH=str(args.before.resolve()))
        commands["before"] = ([python, "-m", "book", "build", "--source", str(source),
                               "--out", str(work / "out-before"), "--no-html", "--quiet", "--jobs", "1"], env)
    if args.unadjusted:
        commands["unadjusted"] = (unadjusted.command(python, source, work / "out-unadjusted", 1, html=False), None)
    if args.ours:
        commands["ours"] = ([str(BIN / "weasyprint"), str(own_html(python, source, work)), str(work / "ours.pdf")],
                            None)
    commands["bare"] = ([str(BIN / "weasyprint"), str(work / "plain.html"), str(work / "plain.pdf")], None)
    for command, env in commands.values():  # warm the caches; count the pages
        measured(command, env)
    pages = {"book": len(PdfReader(work / "out" / "synthetic-print.pdf").pages),
             "bare": len(PdfReader(work / "plain.pdf").pages)}
    if args.ours:
        pages["ours"] = len(PdfReader(work / "ours.pdf").pages)
    if args.jobs2:
        pages["book jobs 2"] = pages["book"]
    if args.unadjusted:
        pages["unadjusted"] = len(PdfReader(work / "out-unadjusted" / "synthetic-print.pdf").pages)
    if args.before:
        pages["before"] = len(PdfReader(work / "out-before" / "synthetic-print.pdf").pages)
    print("pages: " + ", ".join(f"{k} {v}" for k, v in pages.items()))
    per_page: dict[str, list[float]] = {k: [] for k in commands}
    memory: dict[str, list[float]] = {k: [] for k in commands}
    cpu_page: dict[str, list[float]] = {k: [] for k in commands}
    for run in range(args.runs):
        line = []
        names = list(commands)
        for name in names[run % len(names):] + names[:run % len(names)]:  # no build always first in its run
            command, env = commands[name]
            seconds, cpu, peak = measured(command, env)
            per_page[name].append(100 * seconds / pages[name])
            cpu_page[name].append(100 * cpu / pages[name])
            memory[name].append(peak / pages[name])
            line.append(f"{name} {seconds:.2f} s ({per_page[name][-1]:.2f} s/100 pp, CPU {cpu_page[name][-1]:.2f}, "
                        f"{peak:.0f} MiB)")
        print(f"run {run + 1}: " + "; ".join(line), flush=True)
    for name in commands:
        ratios = [a / b for a, b in zip(per_page[name], per_page["bare"])]
        cpu = [a / b for a, b in zip(cpu_page[name], cpu_page["bare"])]
        print(f"{name}: median {statistics.median(per_page[name]):.2f} s per 100 pages, "
              f"{statistics.median(memory[name]):.2f} MiB peak per page; "
              f"per-page ratio to bare: median {statistics.median(ratios):.3f} "
              f"(range {min(ratios):.3f}-{max(ratios):.3f}), in CPU time {statistics.median(cpu):.3f}")
    if args.before:
        ratios = [a / b for a, b in zip(per_page["book"], per_page["before"])]
        cpu = [a / b for a, b in zip(cpu_page["book"], cpu_page["before"])]
        mem = [a / b for a, b in zip(memory["book"], memory["before"])]
        print(f"book / before per page: median {statistics.median(ratios):.3f} (CPU {statistics.median(cpu):.3f}); "
              f"peak memory per page: median {statistics.median(mem):.3f}")


if __name__ == "__main__":
    main()
