"""The model and the inputs of the bad-input state machine (bad_input.py).

The model restates erasmo's rules by hand, with plain Decimal arithmetic: which text is a valid
amount, quantity, price, ticker, name or date; what a command does to cash and shares. The
market data (trading days, bars) is the only thing it looks up.
"""

from __future__ import annotations

import io
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from pathlib import Path
from typing import Any
from uuid import UUID

from hypothesis import strategies as st

from events.application import Portfolios
from events.eventlog import export_log
from events.store import StoreConfig
from events.values import PriceProvenance
from reliability.targets import market

TODAY = date(2026, 11, 26)
FIRST, LAST = date(2012, 11, 1), date(2013, 6, 28)  # IBM and GOOG end in between
CENT = Decimal("0.01")
MAX_MONEY, MAX_QUANTITY = Decimal("1e15"), Decimal("1e12")
TRADABLE = ("AAPL", "MSFT", "KO", "IBM", "GOOG")
SCRATCH = Path("/dev/shm") if Path("/dev/shm").is_dir() else Path(tempfile.gettempdir())

# -- inputs -----------------------------------------------------------------------------------

BAD_NUMBERS = [
    "0", "0.00", "-5", "-0.01", "-0", "NaN", "nan", "-NaN", "sNaN", "inf", "Infinity",
    "-Infinity", "1e400", "1e3", "1E2", "1,000.00", "1_000", "12.345", "0.001", "+5", "5.",
    ".", "", "  ", "١٢", "１２", "12\x00", "0x10", "9" * 400, "1000000000000000.01",
    "999999999999999.99", "1e-2", " 12.50 ", ".5", "00012.50", "12.5\u2003", "½", "1.0000001",
    "3.000000", "10000000000000", "0.000001",
]  # fmt: skip
ODD_VALUES: list[object] = [
    Decimal("NaN"), Decimal("sNaN"), Decimal("Infinity"), Decimal("-Infinity"), Decimal("1e400"),
    Decimal("-0"), Decimal("1E+2"), Decimal("1.5E-7"), Decimal("-3"), 1.5, float("nan"),
    float("inf"), True, False, None, 5, 0, -7, 10**30, b"12", ["12"],
]  # fmt: skip
TICKERS = [
    *TRADABLE, "aapl", " MSFT ", "ko\n", "^GSPC", "ZZZZ", "AAPL1", "BRK.B", "ΑAPL", "АAPL",
    "ＡＡＰＬ", "AAPL\u200b", "AAP L", "", " ", "aapl\x00", "İBM", "ıbm", "MSFT;DROP", "A" * 40,
]  # fmt: skip
NAMES = [
    "Tech", "tech", " TECH ", "Growth", "Tеch", "", "   ", "x" * 64, "x" * 65, "a\nb",
    "Tab\tName", "Ünïcödé", "💰 Fund", "\u200bZero", "Side A", "side b", "ǅ", "Straße", "STRASSE",
]  # fmt: skip
BAD_DAYS: list[object] = [
    "2013-01-05", "2012-12-25", "2013-02-30", "2013-1-2", "02/01/2013", "2027-01-04",
    "1980-01-02", "2024-01-02", " 2013-01-02 ", "２０１３-01-02", "", None, 20130102,
]  # fmt: skip
IMPORT_VARIANTS = [
    "as-is", "bom", "crlf", "bom+crlf", "truncated-last-line", "no-final-newline",
    "drop-line", "duplicate-line", "edit-byte", "swap-lines", "empty", "garbage", "latin1",
]  # fmt: skip
VALID_IMPORTS = {"as-is", "bom", "crlf", "bom+crlf"}
#: Each input is drawn with one choice where it can: hypothesis' drawing is most of a step's cost.
TICKER_INPUTS = st.sampled_from([*TRADABLE, *TRADABLE, *TRADABLE, *TICKERS])
#: Which portfolio a command names: (which one, how it is written).
WHO = st.sampled_from(
    [
        (pick, variant)
        for pick in range(6)
        for variant in ("exact", "exact", "exact", "upper", "padded", "unknown", "lookalike")
    ]
)
#: When: trading days from the portfolio's clock (mostly forward), or a bad date.
WHEN = st.sampled_from([-2, -1, 0, 0, 1, 1, 2, 3, 4, *(("bad", day) for day in BAD_DAYS)])
PRICES = st.sampled_from(["close", "close", "close", "cent above", "low", "high", "junk"])
FEES = st.sampled_from([None, None, None, None, "0", "4.95", "0.001", "-1", "1e2", "NaN"])


def mixes_alphabets(name: str) -> bool:
    """A word of `name` holds both a Latin letter and a Cyrillic or Greek one (refused, since
    such a name exists only to be mistaken for another)."""
    for word in name.split():
        latin = any("a" <= c.lower() <= "z" or "\u00c0" <= c <= "\u024f" for c in word)
        other = any("\u0370" <= c <= "\u03ff" or "\u0400" <= c <= "\u04ff" for c in word)
        if latin and other:
            return True
    return False


def money_inputs() -> st.SearchStrategy[object]:
    valid = st.integers(1, 5_000_000).map(lambda cents: str(Decimal(cents) / 100))
    return st.one_of(
        valid,
        valid,
        valid,
        st.sampled_from(BAD_NUMBERS),
        st.sampled_from(ODD_VALUES),
        st.text(alphabet="0123456789.-+eE ,_", max_size=8),
    )


def quantity_inputs() -> st.SearchStrategy[object]:
    return st.one_of(
        st.integers(1, 20_000_000).map(lambda n: str(Decimal(n) / 1_000_000)),
        st.integers(1, 20).map(str),
        st.integers(1, 5).map(str),
        st.sampled_from(BAD_NUMBERS),
        st.sampled_from(ODD_VALUES),
    )


# -- the model --------------------------------------------------------------------------------


def plain_number(
    raw: object, places: int, maximum: Decimal, *, zero: bool = False
) -> Decimal | None:
    """The number `raw` stands for, or None when erasmo must refuse it."""
    if isinstance(raw, bool | float) or raw is None:
        return None
    if isinstance(raw, Decimal):
        if not raw.is_finite():
            return None
        value = raw
    elif isinstance(raw, int):
        value = Decimal(raw)
    elif isinstance(raw, str):
        text = raw.strip()
        whole, _, fraction = text.partition(".")
        digits = set("0123456789")
        if not (set(whole) <= digits and set(fraction) <= digits):
            return None
        if ("." in text and not fraction) or not (whole or fraction):
            return None
        value = Decimal(text)
    else:
        return None
    if value < 0 or (value == 0 and not zero) or value > maximum:
        return None
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)
    return value if max(0, -exponent) <= places else None


def to_cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def model_day(raw: object, ticker: str | None) -> date | None:
    """The trading day `raw` names for `ticker` (None: the market), or None if refused."""
    days = trading_days(ticker)
    if raw is None:
        return days[-1]
    if isinstance(raw, date):
        day = raw
    elif isinstance(raw, str):
        text = raw.strip()
        shape = len(text) == 10 and text[4] == text[7] == "-"
        if not (shape and (text[:4] + text[5:7] + text[8:]).isascii()):
            return None
        try:
            day = date.fromisoformat(text)
        except ValueError:
            return None
    else:
        return None
    return day if day <= TODAY and day in day_set(ticker) else None


@cache
def trading_days(ticker: str | None) -> tuple[date, ...]:
    return tuple(market().trading_days(ticker))


@cache
def day_set(ticker: str | None) -> frozenset[date]:
    return frozenset(trading_days(ticker))


@cache
def window() -> tuple[date, ...]:
    return tuple(d for d in trading_days(None) if FIRST <= d <= LAST)


@dataclass
class Held:
    """A portfolio as the model sees it."""

    id: UUID
    name: str
    cash: Decimal
    clock: date
    shares: dict[str, Decimal] = field(default_factory=dict)


@cache
def side_log() -> tuple[bytes, tuple[Held, ...]]:
    """An export of another store's two portfolios ("Side A", "Side B"), and their state."""
    folder = Path(tempfile.mkdtemp(dir=SCRATCH))
    app = Portfolios(StoreConfig.sqlite(folder / "side.sqlite"))
    try:
        day = window()[0]
        bar = market().bar("AAPL", day)
        assert bar is not None
        a = app.open_portfolio("Side A", day, Decimal(5000))
        app.buy(
            a, "AAPL", Decimal(10), bar.close, day, PriceProvenance("bundled:skfolio", day, True)
        )
        app.open_portfolio("Side B", window()[1], Decimal(100))
        out = io.StringIO()
        export_log(app, out, erasmo_version="0.1.0")
        held = tuple(
            Held(s.id, s.name, s.cash, s.clock, dict(app.portfolio(s.id).shares))
            for s in app.summaries()
        )
    finally:
        app.close()
        shutil.rmtree(folder)
    return out.getvalue().encode(), held


def mutate(data: bytes, variant: str) -> bytes:
    """An event-log file changed the way files get damaged or re-encoded."""
    lines = data.splitlines(keepends=True)
    last = len(lines) - 1
    changes: dict[str, Callable[[], bytes]] = {
        "as-is": lambda: data,
        "bom": lambda: b"\xef\xbb\xbf" + data,
        "crlf": lambda: data.replace(b"\n", b"\r\n"),
        "bom+crlf": lambda: b"\xef\xbb\xbf" + data.replace(b"\n", b"\r\n"),
        "truncated-last-line": lambda: data[: len(data) - len(lines[-1]) // 2 - 1],
        "no-final-newline": lambda: data.rstrip(b"\n"),
        "drop-line": lambda: b"".join(lines[:last] if last else lines[1:]) or b"\n",
        "duplicate-line": lambda: b"".join([*lines, lines[-1]]),
        "edit-byte": lambda: data.replace(b'"count":', b'"count":1', 1),
        "swap-lines": lambda: b"".join([lines[0], *reversed(lines[1:])]) if last > 1 else b"{}\n",
        "empty": lambda: b"",
        "garbage": lambda: b"\x00\xff garbage \xfe\n",
        "latin1": lambda: data.decode().replace('"', '"é', 1).encode("latin-1", "replace"),
    }
    return changes[variant]()


# -- the machine ------------------------------------------------------------------------------


def index_of(days: tuple[date, ...], day: date) -> int:
    import bisect

    return bisect.bisect_left(days, day)


def price_text(kind: str, bar: Any) -> object:
    """An explicit price (or None: fill at the close) of the given kind for `bar`."""
    if kind == "close":
        return None
    if bar is None:
        return "12.34"
    return {
        "cent above": str(bar.close + CENT),
        "low": str(bar.low if bar.low is not None else bar.close),
        "high": str(bar.high if bar.high is not None else bar.close),
        "junk": "12.3456789",
    }[kind]


def model_fill(given: object, bar: Any) -> Decimal | None:
    """The price a trade fills at, or None when the price must be refused."""
    if bar is None:
        return None
    if given is None:
        return Decimal(bar.close)
    price = plain_number(given, 6, MAX_MONEY)
    if price is None:
        return None
    if bar.low is not None and bar.high is not None:
        return price if bar.low <= price <= bar.high else None
    return price if price == bar.close else None
