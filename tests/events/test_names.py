"""Look-alike names: composed and decomposed forms are one name, Cyrillic or Greek letters
drawn like Latin ones count as those, and a word mixing those alphabets is refused."""

from __future__ import annotations

import unicodedata
from datetime import date

import pytest

from events.application import Portfolios
from events.errors import ConfusableNameError, DuplicateNameError, UnknownPortfolioError
from events.values import parse_name

DAY = date(2015, 3, 2)
CAFE_COMPOSED = "Caf\u00e9"
CAFE_DECOMPOSED = "Cafe\u0301"
CYRILLIC_TECH = "\u0422\u0415\u0421\u041d"  # "ТЕСН": four Cyrillic capitals
MIXED_TECH = "\u0422ech"  # a Cyrillic "Т", then Latin "ech"


def test_a_decomposed_name_is_stored_composed(app: Portfolios) -> None:
    pid = app.open_portfolio(CAFE_DECOMPOSED, DAY)
    assert app.portfolio(pid).name == CAFE_COMPOSED
    assert unicodedata.is_normalized("NFC", app.portfolio(pid).name)
    assert app.find(CAFE_DECOMPOSED) == pid


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (CAFE_COMPOSED, CAFE_DECOMPOSED),
        (CAFE_DECOMPOSED, "CAF\u00c9"),
        ("TECH", CYRILLIC_TECH),
        ("Taxi", "\u03a4\u0391\u03a7\u0399"),  # "ΤΑΧΙ": four Greek capitals
    ],
)
def test_look_alike_names_cannot_coexist(app: Portfolios, first: str, second: str) -> None:
    app.open_portfolio(first, DAY)
    before = app.event_count()
    with pytest.raises(DuplicateNameError, match="already exists"):
        app.open_portfolio(second, DAY)
    other = app.open_portfolio("Other", DAY)
    with pytest.raises(DuplicateNameError, match="already exists"):
        app.rename(other, second)
    assert app.event_count() == before + 2  # "Other" opened (and listed), nothing else


@pytest.mark.parametrize("name", [MIXED_TECH, "P\u0430ypal", "\u0391lpha Fund"])
def test_a_word_mixing_alphabets_is_refused(app: Portfolios, name: str) -> None:
    before = app.event_count()
    with pytest.raises(ConfusableNameError, match="type each word in one alphabet"):
        app.open_portfolio(name, DAY)
    assert app.event_count() == before


@pytest.mark.parametrize(
    "name",
    [
        "\u041c\u043e\u0441\u043a\u0432\u0430",
        "\u0395\u03bb\u03bb\u03ac\u03b4\u03b1",
        "\u65e5\u672c\u30dd\u30fc\u30c8",
        "Caf\u00e9 cr\u00e8me",
        "Tech 2",
    ],
)
def test_names_in_one_alphabet_per_word_are_accepted(name: str) -> None:
    assert parse_name(name) == name


def test_a_mixed_spelling_finds_no_portfolio(app: Portfolios) -> None:
    pid = app.open_portfolio("Tech", DAY)
    with pytest.raises(UnknownPortfolioError, match="No portfolio is named"):
        app.find(MIXED_TECH)
    assert app.find(" tech ") == pid
