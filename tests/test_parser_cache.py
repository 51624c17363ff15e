"""book/layout/parser_cache.py: the HTML parser builds each of its scanning expressions once, and
parses every document into the same tree as without the patch."""

from __future__ import annotations

import re
from xml.etree import ElementTree

import tinyhtml5
import tinyhtml5.inputstream as inputstream
from test_shared_styles import DOCUMENTS

from book.layout import parser_cache

ODD = ("<!DOCTYPE html><html lang='en'><head><title>A &amp; B</title><style>p > a { color: red }</style></head>"
       "<body><!-- a comment --><p class=\"x\" data-fix='tight wide'>Text &nbsp; &mdash; &#8212; &lt;tag&gt; "
       "<a href='#a?b=1&amp;c=2'>link</a><br><img alt=\"an 'image'\" src=x.png></p><pre>\n  kept\n</pre>"
       "<table><tr><td>implied tbody</td></tr></table><p>unclosed<p>second</body></html>")
"""What our documents rarely hold: entities, comments, quotes of both kinds, void elements, a pre, an
implied tbody, paragraphs closed by the next."""


class _Counting:
    """Stands in for the `re` module in tinyhtml5's input stream, counting the expressions compiled."""

    def __init__(self):
        self.compiled = 0

    def compile(self, *args, **kwargs):
        self.compiled += 1
        return re.compile(*args, **kwargs)

    def __getattr__(self, name):
        return getattr(re, name)


def _tree(html: str) -> bytes:
    return ElementTree.tostring(tinyhtml5.parse(html, namespace_html_elements=False))


def test_each_expression_is_built_once(monkeypatch):
    """A second parse builds no expression with the patch; without it, one for every run of text
    scanned (the library's cache never hits), so the count is not vacuous."""
    counting = _Counting()
    monkeypatch.setattr(inputstream, "re", counting)
    monkeypatch.setattr(parser_cache, "re", counting)
    for installed in (True, False):
        (parser_cache.install if installed else parser_cache.uninstall)()
        try:
            _tree(DOCUMENTS[0])
            counting.compiled = 0
            _tree(DOCUMENTS[0])
            if installed:
                assert counting.compiled == 0
            else:
                assert counting.compiled > 100
        finally:
            parser_cache.install()


def test_documents_parse_into_the_same_tree():
    """Our chapters and a document of odd markup give the same tree with the patch and without."""
    for html in (DOCUMENTS[0], DOCUMENTS[3], ODD):
        parser_cache.install()
        ours = _tree(html)
        parser_cache.uninstall()
        try:
            theirs = _tree(html)
        finally:
            parser_cache.install()
        assert ours == theirs
    assert isinstance(inputstream.characters_until_regex, parser_cache.Expressions)
    assert all(isinstance(key[1], bool) and not isinstance(key[0], re.Pattern)
               for key in inputstream.characters_until_regex)
