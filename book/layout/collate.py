"""language tag + names -> sort keys and letter-group headings for the index.

Library: PyICU, not pyuca. pyuca implements only the root order (DUCET): no
CLDR tailorings and no index characters. The Kazakh edition needs both. Root
puts І straight after И and Ү before Ұ, and only CLDR's kk tailoring fixes
that (Ё, Ұ<Ү, І after Ы). Russian and Kazakh also need `[reorder Cyrl]`, so
Cyrillic sorts before Latin. ICU's AlphabeticIndex gives the letter groups
from the same collator, so a group heading can never split a run of sorted
names. The cost: `pip install pyicu` compiles against libicu-dev (about
70 s in a fresh venv), and libicu-dev is on every build machine.

Filing rules, applied the same way in every language (word by word, as in
ISO 999 and NISO TR03):

- Entries are written "Surname, Given". Around a comma, spaces are dropped,
  and a tailoring rule (`&[before 1]' ' < ','`) sorts the comma before every
  other character. So "Messerer, Asaf" < "Messerer-Plisetskaya, Maya" and
  "Orlov, Ivan" < "Orlova, Anna".
- Spaces, hyphens, dashes and slashes are one word break, which sorts before
  any letter: "de Gaulle" < "Dean", "Lloyd George" < "Lloyd-Jones" <
  "Lloyd Webber".
- All other punctuation is ignored (apostrophes, periods, quotes, brackets):
  O'Brien files as OBrien and 't Hooft as t Hooft, under T. ICU's
  alternate=shifted is not used, because it would also ignore the comma and
  the space and give "Orlova, Anna" < "Orlov, Ivan".
- Case and accents count only at ICU's second and third levels: Émery sorts
  among the Emerys, and comes after "Emery" only when everything else is
  equal. If two entries are still equal, the raw text compared at ICU's
  identical level settles the order, so the key is total.

Letter groups are the labels of ICU's AlphabeticIndex for the book's
language, plus the Latin A-Z. They are upper case:

- A label is used only when the name really begins with it at the first
  level (its primary weights start with the label's). ICU on its own puts a
  name under the last label at or before it, which would file Þorn under Z
  and, in a Russian book, Әуезов under А. Every other name gets its first
  letter in upper case as its group. Accents are dropped first, but only
  where the collation ignores them at the first level: Ё becomes Е, Й stays
  Й. This also covers Cyrillic in an English book and Greek anywhere. A group
  that has no label still comes out as one run, because the sort key starts
  with that same first-level letter.
- ru: CLDR lists Ё among the ru index characters, but the ru collation makes
  ё a secondary variant of е. AlphabeticIndex keeps only labels that differ
  at the first level, so Ё names file under Е and mix with the Е names
  (Ёлкин, Пётр < Елкин, Сергей).
- kk: Ә Ғ Ё Қ Ң Ө Ұ Ү Һ І are separate letters and each gets its own group.
- Script order follows ICU. In en and the root order, Latin comes before
  Cyrillic. In ru and kk, Cyrillic comes before Latin. A Latin name in a
  Cyrillic book gets its own Latin letter as its group.
- A name whose filing form begins with anything other than a letter (a
  digit, a symbol) goes under "#". That group comes before A, because ICU
  sorts digits and symbols before every letter.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

import icu

NON_LETTER_GROUP = "#"
"""Heading for names that begin with a digit or symbol."""

COMMA_FIRST_RULE = "&[before 1]' ' < ','"
"""Tailoring appended to every language: the surname's comma sorts lowest."""

EXTRA_LABEL_LOCALES = ("en",)
"""Index characters added in every book, so foreign Latin names get A-Z."""

APOSTROPHES = frozenset("'\u2018\u2019\u02bb\u02bc\u0060\u00b4\u2032")
"""Apostrophe-like characters, ignored even where Unicode calls them letters."""

WORD_BREAKS = frozenset("/")
"""Punctuation outside Unicode's dash class that still separates words."""

_SPACES_AROUND_COMMA = re.compile(r" *, *")
_SPACE_RUNS = re.compile(r" {2,}")


@dataclass(frozen=True)
class Collator:
    """Sort keys and letter groups for one language; get it from make_collator."""

    language: str
    """The BCP 47 tag asked for, as given."""
    locale: str
    """ICU locale whose collation is used; "" means the root collation."""
    sorter: icu.RuleBasedCollator = field(repr=False, compare=False)
    """Language rules plus COMMA_FIRST_RULE, at ICU's default (tertiary) strength."""
    tiebreaker: icu.RuleBasedCollator = field(repr=False, compare=False)
    """The same rules at identical strength, for the raw text."""
    index: icu.ImmutableIndex = field(repr=False, compare=False)
    """Letter-group buckets built on `sorter`."""

    def key(self, text: str) -> bytes:
        """Sort key: filing form first, raw text as the tie-breaker."""
        filing = fold_punctuation(text)
        return self.sorter.getSortKey(filing) + self.tiebreaker.getSortKey(text)

    def group(self, text: str) -> str:
        """Letter-group heading, such as "A", "Ә" or "#"."""
        filing = fold_punctuation(text)
        if not filing or not unicodedata.category(filing[0]).startswith("L"):
            return NON_LETTER_GROUP
        label, kind = self.index.getBucket(self.index.getBucketIndex(filing))
        if kind == icu.UAlphabeticIndexLabelType.NORMAL and self.starts_with(filing, label):
            return label
        return self.reduce_letter(filing[0])

    def starts_with(self, text: str, label: str) -> bool:
        """Whether text begins with label at the first level (Émery with E, Æthelred with A)."""
        return self.primary(text).startswith(self.primary(label))

    def reduce_letter(self, letter: str) -> str:
        """Upper-case letter, without the accents the collation ignores at level 1."""
        upper = letter.upper()[0]  # "ß".upper() is "SS"
        base = unicodedata.normalize("NFD", upper)[0]
        if base != upper and self.primary(base) == self.primary(upper):
            return base
        return upper

    def primary(self, text: str) -> bytes:
        """Primary-level part of the sort key (ICU separates levels with 0x01)."""
        return self.sorter.getSortKey(text).split(b"\x01", 1)[0]


def fold_punctuation(text: str) -> str:
    """Name as it is filed: word breaks as single spaces, a bare comma, no other punctuation."""
    kept = []
    for char in unicodedata.normalize("NFC", text):
        category = unicodedata.category(char)
        if char == ",":
            kept.append(",")
        elif char.isspace() or char in WORD_BREAKS or category == "Pd":
            kept.append(" ")
        elif char in APOSTROPHES or category.startswith("P"):
            continue
        else:
            kept.append(char)
    folded = _SPACES_AROUND_COMMA.sub(",", "".join(kept))
    return _SPACE_RUNS.sub(" ", folded).strip(" ,")


@lru_cache(maxsize=None)
def make_collator(language: str) -> Collator:
    """Collator for a BCP 47 tag; an unknown or malformed tag gets the root collation."""
    locale = parse_locale(language)
    rules = icu.Collator.createInstance(locale).getRules() + COMMA_FIRST_RULE
    sorter = icu.RuleBasedCollator(rules)
    tiebreaker = icu.RuleBasedCollator(rules)
    tiebreaker.setStrength(icu.Collator.IDENTICAL)
    return Collator(
        language=language,
        locale=str(locale),
        sorter=sorter,
        tiebreaker=tiebreaker,
        index=build_index(sorter, locale),
    )


def parse_locale(language: str) -> icu.Locale:
    """ICU locale for a BCP 47 tag (or "en_GB"); root if ICU can't parse it or lacks its data."""
    try:
        locale = icu.Locale.forLanguageTag(language.strip().replace("_", "-"))
    except icu.ICUError:
        return icu.Locale("")
    # Keep the locale only if ICU has collation data for it; otherwise use root.
    collator = icu.Collator.createInstance(locale)
    if not collator.getLocale(icu.ULocDataLocaleType.VALID_LOCALE).getName():
        return icu.Locale("")
    return locale


def build_index(sorter: icu.RuleBasedCollator, locale: icu.Locale) -> icu.ImmutableIndex:
    """Letter groups: the language's index characters plus Latin A-Z, ordered by `sorter`."""
    index = icu.AlphabeticIndex(sorter)
    index.addLabels(locale)
    for extra in EXTRA_LABEL_LOCALES:
        index.addLabels(icu.Locale(extra))
    return index.buildImmutableIndex()


def sort_texts(texts, language: str) -> list[str]:
    """Texts in index order for the language."""
    return sorted(texts, key=make_collator(language).key)
