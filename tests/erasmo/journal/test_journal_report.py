"""The HTML report: one self-contained page whose numbers are the statistics' own."""

from __future__ import annotations

from html.parser import HTMLParser

import pandas as pd
from hand_market import HandMarket

from erasmo.journal import round_trips, trade_statistics, value_statistics
from erasmo.journal.report import money, percent, render
from erasmo.projections import price_table, trade_log, value_series

MARKET = HandMarket(
    """
    XYZ 2020-01-02 100 101 99 100
    XYZ 2020-01-03 100 105 95 102
    XYZ 2020-01-06 102 110 100 108
    XYZ 2020-01-07 108 109 90 95
    XYZ 2020-01-08 95 97 93 96
    """
)
PRICES = price_table(
    """
                XYZ
    2020-01-02  100
    2020-01-03  102
    2020-01-06  108
    2020-01-07  95
    2020-01-08  96
    """
)
LOG = """
    2020-01-02 OPEN t
    2020-01-02 DEPOSIT 10000
    2020-01-02 BUY 10 XYZ @ 100 fee 1
    2020-01-03 BUY 5 XYZ @ 102 fee 0.5
    2020-01-06 SELL 12 XYZ @ 108 fee 2.4
    2020-01-07 SELL 2 XYZ @ 95 fee 0.2
"""


class _Page(HTMLParser):
    """Collects the tags, the summary cards and the trade table's cells of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.open: list[str] = []
        self.cards: dict[str, str] = {}
        self.rows: list[list[str]] = []
        self.tables: dict[str, list[list[str]]] = {}  # every table's body rows, by its id
        self.sources: list[str] = []
        self._card: str | None = None
        self._in_value = self._in_cell = self._in_body = False
        self.points: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self.tags.append(tag)
        self.sources += [v or "" for k, v in attrs if k in ("src", "href")]
        if tag == "div" and found.get("class") == "card":
            self._card = found.get("data-key")
        self._in_value = tag == "div" and found.get("class") == "v"
        if tag == "table":
            self.rows = self.tables.setdefault(found.get("id") or "", [])
        if tag == "tbody":
            self._in_body = True
        if tag == "tr" and self._in_body:
            self.rows.append([])
        self._in_cell = tag == "td"
        if tag == "polyline":
            self.points.append(found.get("points") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "tbody":
            self._in_body = False
        self._in_cell = False

    def handle_data(self, data: str) -> None:
        if self._in_value and self._card is not None:
            self.cards[self._card] = data
            self._in_value = False
        if self._in_cell and self._in_body:
            self.rows[-1].append(data)


def _page() -> tuple[_Page, pd.DataFrame]:
    events = trade_log(LOG)
    trades = round_trips(events, MARKET)
    series = value_series(events, PRICES)
    ratios = value_statistics(series.total, series.deposits, series.withdrawals)
    falls = series.total / series.total.cummax() - 1
    html = render(trades, title="t <report>", value=series.total, drawdown=falls, ratios=ratios)
    page = _Page()
    page.feed(html)
    page.close()
    page.rows = page.tables["trades"]
    return page, trades


def test_the_page_shows_the_statistics_of_the_trades() -> None:
    page, trades = _page()
    stats = trade_statistics(trades)
    assert page.cards["trades"] == "4"
    assert page.cards["win_rate"] == "50.00 %"
    # 77 + 11.4 - 14.4 - 6.1 (see test_journal_trades)
    assert page.cards["total_pnl"] == "67.90"
    assert page.cards["profit_factor"] == f"{(77 + 11.4) / (14.4 + 6.1):.2f}"
    assert page.cards["expectancy"] == money(stats.expectancy)
    assert page.cards["exposure"] == percent(stats.exposure)
    assert {"cagr", "max_drawdown", "sortino", "calmar"} <= set(page.cards)


def test_the_realized_pnl_by_month_sums_the_closed_trades() -> None:
    page, _trades = _page()
    # January 2020: the closed trades 77 + 11.4 - 14.4 (the open one's -6.1 is not realized)
    assert page.tables["monthly-pnl"] == [["74.00"]]
    assert "<th>Jan</th>" in render(round_trips(trade_log(LOG), MARKET), title="m")


def test_the_trade_table_has_one_row_per_trade() -> None:
    page, trades = _page()
    assert len(page.rows) == len(trades) == 4
    first = page.rows[0]
    assert first[:7] == ["XYZ", "long", "closed", "2020-01-02", "100.00", "2020-01-06", "108.00"]
    assert first[8] == "3.00"  # fees: 1 of the buy + 2 of the sell's 2.4
    assert first[7] == "10"  # quantity
    assert first[10] == "77.00"
    assert page.rows[-1][2] == "open"


def test_the_page_is_self_contained_with_svg_charts() -> None:
    page, _ = _page()
    assert page.sources == []  # no stylesheet, script or image to fetch
    assert "script" not in page.tags
    assert page.tags.count("svg") == 2
    # one point per trading day of the value series
    assert len(page.points[0].split()) == 5


def test_the_monthly_returns_are_a_table_of_years_by_months() -> None:
    monthly = pd.DataFrame(
        [[0.0123, None] + [None] * 10], index=pd.Index([2020], name="year"), columns=range(1, 13)
    )
    html = render(round_trips(trade_log(LOG), MARKET), title="m", monthly=monthly)
    page = _Page()
    page.feed(html)
    assert "1.23 %" in html
    assert html.count("<td class='n'>–</td>") == 11
    assert "script" not in page.tags


def test_the_title_is_escaped() -> None:
    html = render(round_trips(trade_log(LOG), MARKET), title="<b>x</b>")
    assert "<b>x</b>" not in html
    assert "&lt;b&gt;x&lt;/b&gt;" in html


def test_a_portfolio_without_trades_still_renders() -> None:
    html = render(round_trips(trade_log("2020-01-02 OPEN t"), MARKET), title="empty")
    assert "No trades yet." in html
