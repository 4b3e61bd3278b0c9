"""Search tokens: how the text of a case and the words of a query become index terms.

Why character bigrams: they are the only method we measured that is exact
for every query (two-character words, phrases, codes, mixed text like 税保e贷)
without a dictionary; see README "Search". Every non-space character takes
part, punctuation included, so a word is found only where it stands verbatim.

The text is NFKC-normalised and case-folded; each run of non-space
characters becomes its overlapping bigrams plus a unigram for the run's last
character. Each character is written as four base-36 digits (fixed width,
short) behind an "x", so that neither FTS5's tokenizer nor PostgreSQL's
parser (whatever the database's locale) splits or alters a token, and no
query text can be read as an FTS operator. A word of two or more characters
is searched as the phrase of its bigrams (exact substring); a one-character
word as a prefix, which matches both the bigrams it starts and the unigram
that ends a run.

That is SQLite's index. PostgreSQL indexes the plain text (``plain_text``)
through a SQL function that makes the same kind of lexemes from the
characters themselves (cases.search.schema), so no tokens are stored there.
"""

from __future__ import annotations

import unicodedata
from itertools import pairwise

MAX_GRAM = 8  # PostgreSQL indexes 2- to 8-character windows (cases.search.schema)


def normalize(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


BASE36 = "0123456789abcdefghijklmnopqrstuvwxyz"
#: A one-character word's query: "x" and the character's four digits, a prefix of every token it starts.
CHARACTER_PREFIX = 5


def _code(char: str) -> str:
    """Four base-36 digits: fixed width, so a one-character prefix is exact (36**4 > 0x10FFFF)."""
    n = ord(char)
    return "".join(BASE36[(n // 36**power) % 36] for power in (3, 2, 1, 0))


def index_tokens(*texts: str) -> str:
    """The token string stored for one column; runs never join across texts."""
    tokens: list[str] = []
    for text in texts:
        for run in normalize(text).split():
            codes = [_code(c) for c in run]
            tokens.extend(bigrams(codes))
            tokens.append(f"x{codes[-1]}")
    return " ".join(tokens)


def plain_text(*texts: str) -> str:
    """A tier's text as search reads it: normalised, each text and each run on a line of its own.

    A word never straddles two lines, just as a phrase never spans two runs in the index.
    """
    return "\n".join(run for text in texts for run in normalize(text).split())


def bigrams(codes: list[str]) -> list[str]:
    return [f"x{a}{b}" for a, b in pairwise(codes)]


def codes(text: str) -> list[str]:
    return [_code(c) for c in text]
