"""Fill rules, commission models and slippage on bars written in the test (docs/fill-rules.md).

Every expected price is worked out by hand from the bars above each test.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from erasmo.market.base import Bar
from erasmo.simulation.fills import OHLC, BarArrays, OrderTerms, fill_on_bar, first_fill
from events.commission import parse_commission, parse_slippage_bps
from events.errors import InvalidCommissionError, InvalidSlippageError

D = Decimal


def bars(text: str) -> BarArrays:
    """Rows 'open high low close' (or a close alone), one bar per line, from 2020-01-02 on."""
    from datetime import date, timedelta

    out = []
    for i, line in enumerate(text.strip().splitlines()):
        values = [D(v) for v in line.split()]
        day = date(2020, 1, 2) + timedelta(days=i)
        if len(values) == 1:
            out.append(Bar("X", day, None, None, None, values[0], None, None))
        else:
            o, h, low, c = values
            out.append(Bar("X", day, o, h, low, c, None, None))
    return BarArrays.of(out)


# Bar 0 is the day the order is placed on; orders can fill from bar 1.
SESSION = bars("""
100 101 99  100
98  99  95  96
97  103 96  102
105 106 104 105
104 104.5 90 91
91  92  89  90
""")


def fill(terms: OrderTerms, arrays: BarArrays = SESSION, bps: str = "0") -> tuple[int, D] | None:
    found = first_fill(terms, arrays, 1, len(arrays), D(bps))
    return None if found is None else (found.index, found.price)


def test_market_order_fills_at_the_next_open() -> None:
    assert fill(OrderTerms("buy", "market")) == (1, D("98"))
    assert fill(OrderTerms("sell", "market")) == (1, D("98"))


@pytest.mark.parametrize(
    ("limit", "expected"),
    [
        ("97", (1, D("97"))),  # bar 1 opens at 98 and trades down to 95: at the limit
        ("99", (1, D("98"))),  # opens at 98, already below the limit: at the open (gap)
        ("95", (1, D("95"))),  # the low touches the limit exactly: fills at it
        ("94.99", (4, D("94.99"))),  # first reached on bar 4 (low 90, open 104)
        ("88", None),  # never reached
    ],
)
def test_buy_limit(limit: str, expected: tuple[int, D] | None) -> None:
    assert fill(OrderTerms("buy", "limit", limit=D(limit))) == expected


@pytest.mark.parametrize(
    ("limit", "expected"),
    [
        ("104", (3, D("105"))),  # gaps up through it: bar 3 opens at 105, above the limit
        ("103", (2, D("103"))),  # bar 2 reaches 103 exactly (high), opening at 97
        ("106", (3, D("106"))),  # the high touches the limit exactly
        ("107", None),
    ],
)
def test_sell_limit(limit: str, expected: tuple[int, D] | None) -> None:
    assert fill(OrderTerms("sell", "limit", limit=D(limit))) == expected


@pytest.mark.parametrize(
    ("side", "stop", "expected"),
    [
        ("buy", "102", (2, D("102"))),  # bar 2's high 103 crosses it; opened at 97
        ("buy", "104", (3, D("105"))),  # gaps through it: bar 3 opens at 105
        ("buy", "103", (2, D("103"))),  # touches it exactly
        ("sell", "97", (1, D("97"))),  # bar 1: low 95, opened at 98 above the stop
        ("sell", "99", (1, D("98"))),  # bar 1 opens at 98, below the stop: the gap open
        ("sell", "89.5", (5, D("89.5"))),
        ("sell", "80", None),
    ],
)
def test_stops(side: str, stop: str, expected: tuple[int, D] | None) -> None:
    assert fill(OrderTerms(side, "stop", stop=D(stop))) == expected


def test_stop_limit_fills_at_the_trigger_when_the_limit_allows_it() -> None:
    # Bar 2: high 103 triggers the stop 102 at max(102, open 97) = 102 <= limit 103.
    assert fill(OrderTerms("buy", "stop-limit", stop=D("102"), limit=D("103"))) == (2, D("102"))


def test_stop_limit_gapping_past_its_limit_fills_that_day_when_the_range_reaches_it() -> None:
    # Bar 3 triggers stop 104 by a gap: it opens at 105, above the limit 104.5. Everything in
    # bar 3 comes after the open, and its low 104 is below 104.5: the limit was crossed that
    # day, so it fills on bar 3 at the limit, 104.5 (before: on bar 4 at 104).
    terms = OrderTerms("buy", "stop-limit", stop=D("104"), limit=D("104.5"))
    assert fill(terms) == (3, D("104.5"))
    # With slippage of 10 bps: 104.5 x 1.001 = 104.6045, capped at the limit: 104.5.
    assert fill(terms, bps="10") == (3, D("104.5"))


def test_stop_limit_gapping_past_its_limit_rests_as_a_limit_order() -> None:
    # Bar 3 triggers stop 104 at the open 105, above the limit 103.9, and its low 104 stays
    # above the limit: no fill that bar. From bar 4 it is a buy limit 103.9: bar 4 opens at
    # 104, above it, and trades down to 90, so it fills at the limit, 103.9.
    terms = OrderTerms("buy", "stop-limit", stop=D("104"), limit=D("103.9"))
    assert fill(terms) == (4, D("103.9"))


def test_sell_stop_limit_gapping_down_past_its_limit_fills_that_day() -> None:
    # Bar 1 opens at 98, below the stop 99 and the limit 98.5: triggered by the gap at 98,
    # beyond the limit. Its high 99 comes after the open and reaches 98.5: fills at 98.5.
    terms = OrderTerms("sell", "stop-limit", stop=D("99"), limit=D("98.5"))
    assert fill(terms) == (1, D("98.5"))
    # With limit 99.5 the high 99 never reaches it that day; bar 2 (high 103, open 97) does:
    # a sell limit fills at max(99.5, 97) = 99.5.
    terms = OrderTerms("sell", "stop-limit", stop=D("99"), limit=D("99.5"))
    assert fill(terms) == (2, D("99.5"))


def test_sell_stop_limit() -> None:
    # Bar 1 triggers stop 97 at min(97, open 98) = 97 >= limit 96.5: fills at 97.
    assert fill(OrderTerms("sell", "stop-limit", stop=D("97"), limit=D("96.5"))) == (1, D("97"))
    # Bar 1's low 95 touches stop 95 at min(95, open 98) = 95, below the limit 100: no fill
    # that bar; it rests as a sell limit 100, which bar 2 reaches (high 103, opened at 97):
    # fills at max(100, 97) = 100.
    terms = OrderTerms("sell", "stop-limit", stop=D("95"), limit=D("100"))
    assert fill(terms) == (2, D("100"))
    # With limit 104 it rests from bar 2; bar 3 opens at 105 above it: fills at the open.
    assert fill(OrderTerms("sell", "stop-limit", stop=D("95"), limit=D("104"))) == (3, D("105"))
    # With limit 107 nothing after the trigger reaches it.
    assert fill(OrderTerms("sell", "stop-limit", stop=D("95"), limit=D("107"))) is None


def test_trailing_sell_by_amount() -> None:
    # Best before bar 1 is the placing close 100: the stop is 95; bar 1's low 95 touches it and
    # it opened at 98 above: fills at 95.
    terms = OrderTerms("sell", "trailing", trail_amount=D("5"), reference=D("100"))
    assert fill(terms) == (1, D("95"))


def test_trailing_sell_by_percent_follows_the_highs() -> None:
    # Stop 10% below the best high so far: bar 1: 90 (low 95), bar 2: best 100 -> 90 (low 96),
    # bar 3: best 103 -> 92.7 (low 104), bar 4: best 106 -> 95.4, low 90 crosses it, opened at
    # 104: fills at 95.4.
    terms = OrderTerms("sell", "trailing", trail_percent=D("10"), reference=D("100"))
    assert fill(terms) == (4, D("95.4"))


def test_trailing_buy_follows_the_lows() -> None:
    # Stop 3 above the lowest low so far: bar 1: 103 (high 99); bar 2: best min(100, 95) = 95
    # -> 98, high 103 crosses, opened at 97 below: fills at 98.
    terms = OrderTerms("buy", "trailing", trail_amount=D("3"), reference=D("100"))
    assert fill(terms) == (2, D("98"))


CLOSES = bars("""
50
48
52
47
""")


@pytest.mark.parametrize(
    ("terms", "expected"),
    [
        (OrderTerms("buy", "market"), (1, D("48"))),  # the next close
        (OrderTerms("buy", "limit", limit=D("49")), (1, D("48"))),  # close 48 <= 49: at 48
        (OrderTerms("buy", "limit", limit=D("47")), (3, D("47"))),  # touches exactly
        (OrderTerms("buy", "stop", stop=D("51")), (2, D("52"))),  # close 52 >= 51: at 52
        (OrderTerms("sell", "stop", stop=D("49")), (1, D("48"))),
        (OrderTerms("sell", "limit", limit=D("51")), (2, D("52"))),
    ],
)
def test_close_only_data_triggers_and_fills_on_the_close(
    terms: OrderTerms, expected: tuple[int, D]
) -> None:
    assert fill(terms, CLOSES) == expected


def test_slippage_moves_the_price_against_the_trader() -> None:
    # 100 bps: a buy at the open 98 pays 98 * 1.01 = 98.98 (inside bar 1's 95-99); a sell
    # receives 98 * 0.99 = 97.02.
    assert fill(OrderTerms("buy", "market"), bps="100") == (1, D("98.98"))
    assert fill(OrderTerms("sell", "market"), bps="100") == (1, D("97.02"))
    found = first_fill(OrderTerms("buy", "market"), SESSION, 1, 6, D("100"))
    assert found is not None
    assert (found.base, found.slippage) == (D("98"), D("0.98"))


def test_slippage_never_leaves_the_bars_range() -> None:
    # From bar 3 on: opens at 105; 105 * 1.01 = 106.05 is above the high 106: clamped to 106.
    found = first_fill(OrderTerms("buy", "market"), SESSION, 3, 6, D("100"))
    assert found is not None
    assert (found.price, found.slippage) == (D("106"), D("1"))
    # A sell at bar 5's open 91 less 3% = 88.27, below the low 89: clamped to 89.
    found = first_fill(OrderTerms("sell", "market"), SESSION, 5, 6, D("300"))
    assert found is not None
    assert (found.price, found.slippage) == (D("89"), D("2"))
    # Close-only data has no range but its close: no slippage at all.
    found = first_fill(OrderTerms("buy", "market"), CLOSES, 1, 4, D("50"))
    assert found is not None
    assert (found.price, found.slippage) == (D("48"), D("0"))


def test_slippage_never_takes_a_limit_order_past_its_limit() -> None:
    # Buy limit 97 fills at 97 on bar 1; 1% slippage would make it 97.97: capped at 97.
    assert fill(OrderTerms("buy", "limit", limit=D("97")), bps="100") == (1, D("97"))
    # The gap fill at the open 98 under limit 99: 98.98 is within the limit and the range.
    assert fill(OrderTerms("buy", "limit", limit=D("99")), bps="100") == (1, D("98.98"))


def test_fill_prices_are_rounded_to_four_places() -> None:
    # 98 * 1.00033 = 98.03234 -> 98.0323
    assert fill(OrderTerms("buy", "market"), bps="3.3") == (1, D("98.0323"))


def test_fill_on_bar_of_a_bar_with_only_a_close_reads_it_as_open_high_low() -> None:
    bar = OHLC.of(Bar("X", CLOSES.bars[0].day, None, None, None, D("50"), None, None))
    assert (bar.open, bar.high, bar.low) == (D("50"), D("50"), D("50"))
    assert fill_on_bar(OrderTerms("buy", "limit", limit=D("50")), bar) == D("50")


# -- commission models ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "quantity", "price", "fee"),
    [
        ("0", "10", "98", "0.00"),
        ("1.00", "10", "98", "1.00"),  # flat per order
        ("4.95", "1000", "1", "4.95"),
        ("0.005/share", "150", "20", "0.75"),  # 150 * 0.005
        ("0.005/share,min=1", "150", "20", "1.00"),  # raised to the minimum
        ("0.005/share,min=1,max=5", "2000", "20", "5.00"),  # 10.00 cut to the maximum
        ("0.1%", "10", "98", "0.98"),  # 0.1% of 980
        ("0.1%", "10", "1234.567", "12.35"),  # 12.34567 rounded half-up to the cent
        ("0.1%,min=1,max=20", "10", "98", "1.00"),  # 0.98 raised to 1
        ("0.1%,min=1,max=20", "1000", "100", "20.00"),  # 100 cut to 20
        ("0.1%, max=20", "100", "100", "10.00"),  # spaces are ignored
    ],
)
def test_commission_models(spec: str, quantity: str, price: str, fee: str) -> None:
    assert parse_commission(spec).fee(D(quantity), D(price)) == D(fee)


def test_commission_spec_reads_back() -> None:
    for spec in ("1.00", "0.005/share", "0.1%", "0.1%,min=1,max=20", "2/share,max=9"):
        model = parse_commission(spec)
        assert parse_commission(model.spec) == model


@pytest.mark.parametrize(
    "spec",
    ["", "abc", "-1", "1%%", "0.1%,min=5,max=1", "0.1%,foo=1", "0.1%,min=", "1/lot", "101%"],
)
def test_bad_commission_specs_are_named_errors(spec: str) -> None:
    with pytest.raises(InvalidCommissionError, match=r"."):
        parse_commission(spec)


@pytest.mark.parametrize("bps", ["-1", "1001", "abc", "1.234", 1.5])
def test_bad_slippage_is_a_named_error(bps: object) -> None:
    with pytest.raises(InvalidSlippageError):
        parse_slippage_bps(bps)


def test_stop_limit_gap_fill_on_bundled_bars() -> None:
    # IBM in the bundled data: 2000-12-07 high 95.94; 2000-12-08 opens at 98.00 (a gap above
    # the stop 96.00 and the limit 97.00), high 99.00, low 95.75. The low after that open comes
    # back to 97.00, so a buy stop-limit placed on 12-07 fills on 12-08 at its limit, 97.00.
    from datetime import date

    from erasmo.market.bundled import BundledMarketData

    ibm = BundledMarketData().bars("IBM", date(2000, 12, 7), date(2000, 12, 15))
    assert (ibm[0].day, ibm[0].high) == (date(2000, 12, 7), D("95.94"))
    assert (ibm[1].day, ibm[1].open, ibm[1].low) == (date(2000, 12, 8), D("98.0"), D("95.75"))
    arrays = BarArrays.of(ibm)
    terms = OrderTerms("buy", "stop-limit", stop=D("96.00"), limit=D("97.00"))
    found = first_fill(terms, arrays, 1, len(arrays), D("0"))
    assert found is not None
    assert (ibm[found.index].day, found.price) == (date(2000, 12, 8), D("97.00"))
