"""Incremental search over title, prompt and tags, with FTS5 and with the LIKE fallback.

Every test runs against both (the `store` fixture is parametrized); what differs between
them is documented in fttui/store/search.py: FTS matches word prefixes, LIKE substrings.
"""

from __future__ import annotations

import pytest

from fttui.store import GenerationStore
from fttui.store.search import parse_query


@pytest.fixture
def library(store: GenerationStore, make) -> GenerationStore:
    store.upsert(
        [
            make(1, title="Morning Rain", prompt="ambient piano, soft rain"),
            make(2, title="Night Drive", prompt="synthwave, retro, 80s"),
            make(3, title="Café Crème", prompt="french jazz accordion", status="failed"),
            make(4, title="100% Pure", prompt="lo-fi hip hop, c# minor"),
            make(5, title='Say "Hello"', prompt="pop_vocal with 50%_off tag"),
            make(6, title=None, prompt="orchestral", parameters={"tags": "epic trailer drums"}),
        ]
    )
    return store


def ids(store: GenerationStore, query: str, status: str | None = None) -> list[int]:
    found = [int(g.id.removeprefix("gen-")) for g in store.page(query=query, status=status)]
    assert store.count(query=query, status=status) == len(found)
    return found


def test_title_prompt_and_tags_are_searched(library: GenerationStore) -> None:
    assert ids(library, "morning") == [1]
    assert ids(library, "synthwave") == [2]
    assert ids(library, "trailer") == [6]  # parameters.tags


def test_prefixes_match_as_the_user_types(library: GenerationStore) -> None:
    assert {4, 1} <= set(ids(library, "m"))  # minor, Morning
    assert ids(library, "mo") == [1]
    assert ids(library, "synth") == [2]
    assert ids(library, "orch") == [6]


def test_full_text_matches_word_starts_only(library: GenerationStore) -> None:
    if not library.full_text:
        assert ids(library, "ynth") == [2]  # LIKE finds any substring
        return
    assert ids(library, "m") == [4, 1]  # minor, Morning; not "drums", "accordion"
    assert ids(library, "ynth") == []


def test_case_and_accents_do_not_matter(library: GenerationStore) -> None:
    assert ids(library, "NIGHT drive") == [2]
    assert ids(library, "cafe creme") == [3]
    assert ids(library, "CAFÉ") == [3]


def test_every_term_must_match(library: GenerationStore) -> None:
    assert ids(library, "rain piano") == [1]
    assert ids(library, "rain synthwave") == []


def test_search_combines_with_the_status_filter(library: GenerationStore) -> None:
    assert ids(library, "jazz", status="failed") == [3]
    assert ids(library, "jazz", status="completed") == []


def test_characters_with_meaning_to_sql_are_plain_text(library: GenerationStore) -> None:
    assert ids(library, "100%") == [4]
    assert ids(library, "%") == [5, 4]
    assert ids(library, "_") == [5]
    assert ids(library, "pop_v") == [5]
    assert ids(library, "c#") == [4]
    assert ids(library, "lo-fi") == [4]
    assert ids(library, '"hello"') == [5]


@pytest.mark.parametrize(
    "typed",
    [
        '"', "'", '""', "*", "-", "^", ":", "(", ")", "{", "}", "[", "]", "\\", "'; DROP TABLE x",
        "AND", "OR", "NOT", "NEAR", "NEAR(a b)", "a OR b", "title:rain", "-rain", "rain*",
        "+", "%%", "__", "\x00", "a\"b", "🎹", "\t \n",
    ],
)  # fmt: skip
def test_nothing_a_user_types_raises(library: GenerationStore, typed: str) -> None:
    library.page(query=typed)
    library.count(query=typed, status="completed")


def test_fts_words_are_literal(library: GenerationStore) -> None:
    # FTS5 operators typed by a user are words to look for, not syntax.
    assert ids(library, "rain OR synthwave") == []  # not a union: "or" is one more term
    assert ids(library, "NOT") == []
    assert 6 in ids(library, "OR")  # orchestral


def test_empty_and_blank_queries_show_everything(library: GenerationStore) -> None:
    assert len(ids(library, "")) == 6
    assert len(ids(library, "   ")) == 6


def test_the_query_is_bound_never_spliced() -> None:
    search = parse_query('x" OR "y', full_text=True)
    assert search.fts_match == '"x"""* "or"* """y"*'
    assert parse_query("50%_", full_text=False).like_patterns == ["%50\\%\\_%"]


def test_renamed_generations_are_found_by_their_new_title(store: GenerationStore, make) -> None:
    store.upsert([make(1, title="Old name")])
    store.upsert([make(1, title="New name")])
    assert ids(store, "old") == []
    assert ids(store, "new") == [1]
