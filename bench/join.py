"""The join of PDF pieces (book/output/join.py), measured: a book written whole, and its chapters laid
out alone, written as pieces (subset fonts, then full fonts) and joined; time and size of each way.

Usage: python bench/join.py [--source DIR | --chapters 40 --paragraphs 48] [--runs 3] [--edition print|screen]

Without --source, a synthetic book (bench/synth.py) of the given size is laid out (40 × 48 is about
480 pages; 8 × 48 about 100). The book is laid out whole, then every chapter alone, as the parallel
build's workers will (bench-only glue: repair.chapter_alone, links to other chapters as
book-anchor:). Prints, for the print edition (pdf/x-4; or the screen edition, pdf/ua-1): the whole
write; the pieces' writes (their sum: in a parallel build the workers share them), with subset and
(print only) with full fonts; the join (median of --runs) and the joined file's size.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def lay_out_book(source: Path):
    """The book in source laid out once, as the pipeline does."""
    from book.layout.paginate import Engine
    from book.layout.render import Urls
    from book.markup.book import load_book
    from book.paths import STYLES
    from book.pipeline import Reporter, lay_out

    book, problems = load_book(source)
    problems.raise_if_errors()
    return book, lay_out(book, Urls.for_book(source), Engine([source, STYLES]), Reporter(), problems)


def chapters_alone(book, laid, source: Path) -> list:
    """Every chapter of the body laid out alone, as a worker will: numbered from its folio in the
    book, its cross-references' page numbers written in, links to other chapters as book-anchor:."""
    import re

    from book.layout import bibliography as biblio
    from book.layout.paginate import Engine, anchor_pages
    from book.layout.render import Urls, render_body
    from book.layout.repair import Blocks, chapter_alone
    from book.output.finish import folio_labels
    from book.output.join import anchor_href
    from book.paths import STYLES

    urls = Urls.for_book(source)
    engine = Engine([source, STYLES])
    html = render_body(book, urls, biblio.entries(book))
    blocks = Blocks(html)
    folios = folio_labels(laid.front_count, len(laid.pages))
    numbers = {anchor: folios[page] for anchor, page in anchor_pages(laid.pages).items()}
    documents = []
    for chapter in blocks.spans:
        alone = chapter_alone(html, blocks, chapter, {}, numbers)
        here = set(re.findall(r'id="([^"]+)"', alone))
        alone = re.sub(r'href="#([^"]+)"',
                       lambda m: m.group(0) if m.group(1) in here else f'href="{anchor_href(m.group(1))}"', alone)
        documents.append(engine.layout(alone, urls.base))
    return documents


def main() -> None:
    from book.output.finish import Stamp, build_date, folio_labels, write_pdf
    from book.output.join import join, write_piece
    from book.output.finish import screen_finisher
    from book.output.press import PrintSetup, print_finisher

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--source", type=Path, help="a book folder (default: a synthetic book)")
    parser.add_argument("--chapters", type=int, default=40)
    parser.add_argument("--paragraphs", type=int, default=48)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--edition", choices=("print", "screen"), default="print",
                        help="print: pdf/x-4 through the print finisher; screen: tagged pdf/ua-1, subset fonts only")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        if args.source is None:
            from synth import write_book
            args.source = write_book(work / "book", args.chapters, args.paragraphs, seed=3)
        started = time.perf_counter()
        book, laid = lay_out_book(args.source)
        print(f"{len(laid.pages)} pages laid out in {time.perf_counter() - started:.1f} s")
        stamp = Stamp(build_date(book), laid.html)
        setup = PrintSetup(bleed_mm=book.manifest.bleed)
        variant = "pdf/x-4" if args.edition == "print" else "pdf/ua-1"

        def finisher():
            return print_finisher(setup) if args.edition == "print" else screen_finisher(0)
        # the front matter as a piece first: a Document collects the fonts of every page it writes
        front = write_piece(laid.front.copy(laid.pages[:laid.front_count]), finisher(), variant, stamp)

        started = time.perf_counter()
        write_pdf(laid.front.copy(laid.pages), work / "whole.pdf", finisher(), variant, stamp=stamp)
        whole = time.perf_counter() - started
        print(f"whole: written in {whole:.2f} s, {(work / 'whole.pdf').stat().st_size / 1e6:.2f} MB")

        for full in (False, True) if args.edition == "print" else (False,):
            # laid out again for each way: the first write of a Document subsets its fonts for good
            started = time.perf_counter()
            documents = chapters_alone(book, laid, args.source)
            print(f"{len(documents)} chapters laid out alone in {time.perf_counter() - started:.1f} s")
            started = time.perf_counter()
            pieces = [front] + [write_piece(d, finisher(), variant, stamp, full_fonts=full)
                                for d in documents]
            writing = time.perf_counter() - started
            labels = folio_labels(laid.front_count, sum(len(d.pages) for d in documents) + laid.front_count)
            times = []
            for _ in range(args.runs):
                report = join(pieces, work / "joined.pdf", labels=labels, variant=variant, stamp=stamp)
                times.append(report.seconds)
            size = (work / "joined.pdf").stat().st_size / 1e6
            print(f"{'full' if full else 'subset'} fonts: {len(pieces)} pieces ({report.pages} pages) written in "
                  f"{writing:.2f} s ({sum(map(len, pieces)) / 1e6:.2f} MB); join {statistics.median(times):.2f} s "
                  f"(runs {', '.join(f'{t:.2f}' for t in times)}), {size:.2f} MB, "
                  f"{report.shared_streams} font programs shared, {report.glyph_maps} glyph maps merged")


if __name__ == "__main__":
    main()
