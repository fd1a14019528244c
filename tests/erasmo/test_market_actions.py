"""Corporate actions derived from the bundled bokeh file's raw and adjusted closes, checked against
published facts, and the derivation itself on small hand-made series."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from erasmo.market.base import CorporateAction
from erasmo.market.bundled import BOKEH, SKFOLIO, BundledMarketData, derive_actions
from events.errors import UnknownTickerError

D = Decimal


@pytest.fixture(scope="module")
def bokeh() -> BundledMarketData:
    return BundledMarketData(BOKEH)


def splits(market: BundledMarketData, ticker: str) -> list[tuple[date, Decimal | None]]:
    return [(a.day, a.ratio) for a in market.actions(ticker) if a.kind == "split"]


def test_known_splits(bokeh: BundledMarketData) -> None:
    assert splits(bokeh, "AAPL") == [(date(2000, 6, 21), D(2)), (date(2005, 2, 28), D(2))]
    assert splits(bokeh, "MSFT") == [(date(2003, 2, 18), D(2))]
    assert splits(bokeh, "IBM") == []  # IBM did not split between 2000 and 2013


def test_known_dividends(bokeh: BundledMarketData) -> None:
    ibm = {a.day: a.amount for a in bokeh.actions("IBM") if a.kind == "dividend"}
    # IBM's declared quarterly dividends (investor relations): 0.75 in 2011-12, 0.85 from
    # the May 2012 raise, 0.20 in 2005, 0.50 in 2008-09, 0.55 in 2009-10.
    assert ibm[date(2012, 2, 8)] == D("0.75")
    assert ibm[date(2012, 5, 8)] == D("0.85")
    assert ibm[date(2012, 11, 7)] == D("0.85")
    assert ibm[date(2005, 5, 6)] == D("0.20")
    assert ibm[date(2009, 2, 6)] == D("0.50")
    assert ibm[date(2009, 11, 6)] == D("0.55")
    assert len(ibm) == 52  # four a year, 2000-05 to 2013-02
    msft = {a.day: a.amount for a in bokeh.actions("MSFT") if a.kind == "dividend"}
    assert msft[date(2003, 2, 19)] == D("0.08")  # Microsoft's first dividend
    assert msft[date(2004, 11, 15)] == D("3.08")  # the 3.00 special and the 0.08 quarterly
    aapl = [a for a in bokeh.actions("AAPL") if a.kind == "dividend"]
    assert [(a.day, a.amount) for a in aapl] == [
        (date(2012, 8, 9), D("2.65")),
        (date(2012, 11, 7), D("2.65")),
        (date(2013, 2, 7), D("2.65")),
    ]
    assert {a.source for a in aapl} == {BOKEH}


def test_date_bounds(bokeh: BundledMarketData) -> None:
    assert [
        a.day for a in bokeh.actions("AAPL", start=date(2005, 2, 28), end=date(2012, 8, 9))
    ] == [
        date(2005, 2, 28),
        date(2012, 8, 9),
    ]
    assert bokeh.actions("AAPL", start=date(2005, 3, 1), end=date(2012, 8, 8)) == []


def test_adjusted_series_and_the_index_have_no_actions() -> None:
    merged = BundledMarketData()
    assert merged.info("AAPL").adjusted  # served from skfolio in the merged view
    assert merged.actions("AAPL") == []
    assert merged.actions("KO") == []
    assert merged.actions("^GSPC") == []
    assert BundledMarketData(SKFOLIO).actions("MSFT") == []
    assert merged.actions("IBM")[0].source == BOKEH  # IBM is bokeh's, raw, in every view
    assert BundledMarketData(BOKEH).actions("GOOG") == []
    with pytest.raises(UnknownTickerError):
        merged.actions("NOPE")


def test_derivation_on_hand_made_series() -> None:
    days = [date(2020, 1, d) for d in (2, 3, 6, 7, 8, 9, 10)]
    # Raw closes, and adjusted closes built by hand: factor f = close / adjusted is 3 before a
    # 3:2 split on the 6th (then 2), 2 until a dividend of 0.50 on the 8th (close 99.50, so
    # f drops by 1 + 0.50 / 99.50), then 1:2 reverse split on the 10th.
    closes = ["150", "151.5", "100", "100", "99.5", "99", "200"]
    f_after_dividend = D(2) / (1 + D("0.50") / D("99.5"))
    adjusted = [
        str(D(150) / 3),
        str(D("151.5") / 3),
        str(D(100) / 2),
        "",  # a missing adjusted close: the day is skipped
        str(D("99.5") / f_after_dividend),
        str(D(99) / f_after_dividend),
        str(D(200) / (f_after_dividend * 2)),
    ]
    found = derive_actions("XYZ", days, closes, adjusted, "test")
    assert found == [
        CorporateAction("XYZ", date(2020, 1, 6), "split", D("1.5"), None, "test"),
        CorporateAction("XYZ", date(2020, 1, 8), "dividend", None, D("0.50"), "test"),
        CorporateAction("XYZ", date(2020, 1, 10), "split", D("0.5"), None, "test"),
    ]


def test_a_split_and_a_dividend_on_one_day() -> None:
    days = [date(2020, 1, 2), date(2020, 1, 3)]
    # 2:1 split and 0.25 a (new) share on the 3rd, close 50: f goes from 2 * (1 + 0.25/50) to 1.
    closes = ["100", "50"]
    adjusted = [str(D(100) / (2 * (1 + D("0.25") / 50))), "50"]
    assert derive_actions("XYZ", days, closes, adjusted, "test") == [
        CorporateAction("XYZ", date(2020, 1, 3), "split", D(2), None, "test"),
        CorporateAction("XYZ", date(2020, 1, 3), "dividend", None, D("0.25"), "test"),
    ]
