"""Turning what a person types into the search box into SQL that cannot fail.

Every search is incremental: each whitespace-separated term must match, and the last
characters typed are a prefix. With FTS5 a term made of letters and digits matches the
start of any word (`amb` finds "Ambient"); without FTS5, or for a term holding other
characters (`c#`, `100%`, `lo-fi`), the term must appear as a substring of the folded
text. Case and accents never matter (`cafe` finds "Café").

The user's text never becomes SQL or FTS syntax: FTS terms are quoted phrases, LIKE
patterns escape their wildcards, and everything else travels as bound parameters.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

LIKE_ESCAPE = "\\"


def fold(text: str) -> str:
    """Case- and accent-insensitive form used both for stored text and for queries."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def searchable_text(*parts: str | None) -> str:
    """The folded text a generation is found by (title, prompt, tags)."""
    return fold("\n".join(part for part in parts if part))


def _like_pattern(term: str) -> str:
    escaped = (
        term.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2)
        .replace("%", LIKE_ESCAPE + "%")
        .replace("_", LIKE_ESCAPE + "_")
    )
    return f"%{escaped}%"


def _fts_phrase(term: str) -> str:
    # A quoted string is always a phrase to FTS5 (AND, NEAR, -, :, * inside it are text);
    # the only character to escape is the quote itself, by doubling it.
    return '"' + term.replace('"', '""') + '"*'


@dataclass(frozen=True)
class SearchFilter:
    """A WHERE clause fragment over `generations` (aliased `g`) and its parameters."""

    fts_match: str | None = None
    like_patterns: list[str] = field(default_factory=list)


def parse_query(query: str | None, *, full_text: bool) -> SearchFilter:
    """Split `query` into an FTS5 match expression and LIKE patterns.

    A term made only of letters and digits uses the index when there is one; any other
    term is checked as a substring too, since the tokenizer drops its punctuation
    (`c#` would otherwise find every word starting with c).
    """
    if not query:
        return SearchFilter()
    terms = fold(query).split()
    fts_terms: list[str] = []
    like_terms: list[str] = []
    for term in terms:
        has_word = any(ch.isalnum() for ch in term)
        if full_text and has_word:
            fts_terms.append(_fts_phrase(term))
            if not term.isalnum():
                like_terms.append(term)
        else:
            like_terms.append(term)
    return SearchFilter(
        fts_match=" ".join(fts_terms) if fts_terms else None,
        like_patterns=[_like_pattern(term) for term in like_terms],
    )
