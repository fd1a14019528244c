"""Performance with shorts and leverage: a margin account long 2:1 and short, whose equity
falls to nothing. TTWROR, IRR, drawdown, exposure and weights are worked out by hand in the
comments (the conventions: erasmo/projections/metrics.py and the README)."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from erasmo.projections import ProjectionState, metrics, price_table, snapshot, trade_log

LEVERED = """
    2020-01-02 OPEN Margin
    2020-01-02 DEPOSIT 10000
    2020-01-02 BUY 200 AAA @ 100      # 20,000 on 10,000 of equity: cash -10,000
    2020-01-02 SELL 100 BBB @ 50      # short 100: cash -10,000 + 5,000 = -5,000
"""
PRICES = price_table(
    """
                AAA   BBB
    2020-01-02  100   50
    2020-01-03  110   40
    2020-01-06   90   60
    2020-01-07   60   70
    2020-01-08   70   60
    """
)
# equity = -5,000 + 200 x AAA - 100 x BBB:
#   01-02  -5,000 + 20,000 - 5,000 = 10,000   r = 10,000 / (0 + 10,000) - 1 = 0
#   01-03  -5,000 + 22,000 - 4,000 = 13,000   r = 13,000 / 10,000 - 1 = +30%
#   01-06  -5,000 + 18,000 - 6,000 =  7,000   r = 7,000 / 13,000 - 1
#   01-07  -5,000 + 12,000 - 7,000 =      0   r = 0 / 7,000 - 1 = -100%
#   01-08  -5,000 + 14,000 - 6,000 =  3,000   r = 0 (it starts with no equity)


def levered() -> pd.DataFrame:
    events = trade_log(LEVERED)
    account = events.iloc[[0]].assign(type="AccountTypeSet", version=2)
    events = pd.concat([events.iloc[:1], account, events.iloc[1:]], ignore_index=True)
    events["type"] = events["type"].astype(events.dtypes["type"])
    events["seq"] = range(1, len(events) + 1)
    events["version"] = range(1, len(events) + 1)
    assert ProjectionState.from_events(events).margin
    return events


def test_ttwror_and_drawdown_of_a_leveraged_long_and_short() -> None:
    to_jan_6 = metrics(levered(), PRICES, end="2020-01-06")
    assert to_jan_6.end_value == pytest.approx(7000)
    assert to_jan_6.ttwror == pytest.approx(1.3 * 7000 / 13000 - 1)  # -30%
    assert to_jan_6.max_drawdown == pytest.approx(1 - 0.7 / 1.3)  # from the 01-03 peak
    wiped = metrics(levered(), PRICES, end="2020-01-08")
    assert wiped.end_value == pytest.approx(3000)
    assert wiped.ttwror == pytest.approx(-1.0)  # the equity reached 0 on 01-07: all lost
    assert wiped.max_drawdown == pytest.approx(1.0)
    # IRR: -10,000 on 01-02 and +3,000 on 01-08 (start value 0): 3,000 = 10,000 x^(6 / 365)
    assert wiped.irr == pytest.approx((0.3 ** (365 / 6)) - 1, abs=1e-12)
    at_zero = metrics(levered(), PRICES, end="2020-01-07")
    assert math.isnan(at_zero.irr)  # +0 back for 10,000 in: no rate solves it
    assert at_zero.irr_note


def test_weights_and_exposure_with_a_short_and_a_debit_balance() -> None:
    shot = snapshot(levered(), PRICES, "2020-01-03")
    s = shot.summary
    assert (s.cash, s.long_value, s.short_value) == (-5000, 22000, -4000)
    assert s.total_value == pytest.approx(13000)
    assert shot.positions.loc["AAA", "weight"] == pytest.approx(22000 / 13000)
    assert shot.positions.loc["BBB", "weight"] == pytest.approx(-4000 / 13000)
    # with the cash (-5,000 / 13,000) the weights add up to 1
    assert shot.positions["weight"].sum() + s.cash / s.total_value == pytest.approx(1)
    assert s.gross_exposure == pytest.approx((22000 + 4000) / 13000)  # 2.0x
    assert s.net_exposure == pytest.approx((22000 - 4000) / 13000)
    gone = snapshot(levered(), PRICES, "2020-01-07")
    assert gone.summary.total_value == pytest.approx(0)
    assert gone.positions["weight"].isna().all()  # no weight of nothing
    assert math.isnan(gone.summary.gross_exposure)
