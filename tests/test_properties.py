"""Property tests over generated chapters (random mixes of our syntax, Markdown and raw HTML): `book
check` never ends in a traceback, every error has file:line:col, and no refused HTML reaches the
chapter's HTML. Profiles in conftest.py: fixed examples in CI, HYPOTHESIS_PROFILE=long locally."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from book.errors import BookError
from book.markup.book import load_book
from book.policy import SAFE_ATTRS, SAFE_TAGS, check_href
from conftest import write_book

PIECES = [
    "word", "Aziza", " ", " ", "\n", "\n\n", "\r\n", "\t", "[[Aziza Ryskulova]]", "[[Aziza|ryskulova-aziza]]",
    "[[Nobody]]", "[[", "]]", "|", "[@qalam-prison-mothers]", "[@qalam-prison-mothers, p. 3]", "[@nokey]",
    "[@", "[^a]", "[^b]", "\n\n[^a]: A note.\n", "[^a]:", "[x](#ch-01-one)", "[x](#nowhere)", "[x](https://x.org)",
    "[x](javascript:alert(1))", "<javascript:x>", "<https://x.org>", "![a](a.png)", "![a](../x.png)",
    "## Head {#sec}", "## Head {#Bad}", "# h1", "`code`", "```\ncode\n```\n", "```table\ndata: d.yaml\n```\n",
    "```figure\nchart: pie\n```\n", "*", "_", "**", "~~", ">", "- ", "1. ", "| a | b |\n|---|---|\n| c | d |\n",
    "<span>", "</span>", '<span class="x">', "<b>", "</b>", "<br>", "<script>", "</script>", "<style>",
    "<!--", "-->", "<!-- c -->", "<div>", "</section></main>", '<a href="javascript:x">', "<img src=x onerror=y>",
    "<![CDATA[x]]>", "<?pi?>", "<!DOCTYPE html>", "&amp;", "&#0;", "&lt;script&gt;", "\\", "\\[", "{#", "}",
    "\x00", "\u202e", "---", "--", "\"", "'", "«", "é", "Ә", "😀",
    "```table\ndata: d.yaml\ncolumns: {a: A, b: '<b>B'}\ncaption: <i>c</i> [@qalam-prison-mothers]\n```\n",
    "```table\ndata: d.yaml\ncolumns: {a: A}\nid: Bad Id\n```\n", "```figure\ndata: d.yaml\nchart: bars\n```\n",
    "```figure\ndata: d.yaml\nchart: timeline\ncaption: t\nid: fig-t\n```\n", "![a](ok.png)", "![a](ok.svg)",
]
DATA = """- {a: '<script>x</script>', b: '[x](javascript:y)', label: '</span>', value: 3, date: 1938, short: '<i>'}
- {a: '[[Aziza Ryskulova]]', b: 2, label: x, value: lots, date: '1939-02', short: ok}
"""
TITLES = ["One", "<i>One</i>", "<script>x</script>", "*One*", "[[Aziza Ryskulova]]", "One [@qalam-prison-mothers]",
          "'", "\"<b>\"", "[x](javascript:y)"]


class Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.seen: list[tuple[str, tuple]] = []
        self.comments = 0

    def handle_starttag(self, tag, attrs):
        self.seen.append((tag, tuple(attrs)))

    def handle_comment(self, data):
        self.comments += 1


WRITER_TAGS = {"svg", "line", "circle", "rect", "text", "figure", "figcaption", "p", "a", "h2", "h3", "h4", "h5", "h6", "em", "strong", "code", "pre", "blockquote", "ul", "ol",
               "li", "table", "thead", "tbody", "tr", "th", "td", "span", "sup", "img", "hr", "br", "s"}
WRITER_ATTRS = {"class", "id", "href", "src", "alt", "style", "start", "xmlns", "viewbox", "font-family",
                "font-size", "x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "width", "height", "fill", "stroke",
                "stroke-width", "text-anchor"}


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(body=st.lists(st.sampled_from(PIECES), max_size=40), title=st.sampled_from(TITLES))
def test_check_never_ends_in_a_traceback(tmp_path_factory, body, title):
    book = write_book(tmp_path_factory.mktemp("prop"), d__yaml=DATA,
                      **{"01-one__md": f"---\ntitle: '{title}'\n---\n\n" + "".join(body) + "\n"})
    Image.new("L", (8, 8)).save(book / "ok.png")
    (book / "ok.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
    try:
        loaded, _ = load_book(book)
    except BookError as error:
        for problem in error.problems:
            loc = problem.location
            assert loc is not None and loc.line >= 1 and loc.col >= 1, str(problem)
        return
    html = loaded.chapters[0].html + loaded.chapters[0].title_html
    parser = Tags()
    parser.feed(html)
    assert parser.comments == 0
    for tag, attrs in parser.seen:
        assert tag in SAFE_TAGS | WRITER_TAGS, tag
        assert {name for name, _ in attrs} <= SAFE_ATTRS | WRITER_ATTRS, (tag, attrs)
        for name, value in attrs:
            if name == "href":
                assert check_href(value) is None, value
            if name in ("id", "src"):
                assert re.fullmatch(r"[\w./-]+", value), value
