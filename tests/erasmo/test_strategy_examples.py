"""The example strategies on the bundled data, through the `erasmo` command: each runs offline,
a backtest is an ordinary portfolio, a rerun is identical, and the same run twice gives the same
exported log (timestamps and ids aside)."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from cli_runner import cli_runner

from erasmo.market.bundled import BundledMarketData
from erasmo.strategy.rerun import compare_logs, normalised_events

Run = Callable[..., tuple[int, str, str]]
EXAMPLES = Path(__file__).parents[2] / "examples" / "strategies"


def backtest(run: Run, file: str, cls: str, *args: str) -> dict[str, object]:
    code, out, err = run(
        "--offline", "backtest", str(EXAMPLES / file), cls, "--cash", "100000", *args, "--json"
    )
    assert code == 0, err
    result: dict[str, object] = json.loads(out)
    return result


def positions(run: Run, name: str) -> dict[str, Decimal]:
    code, out, err = run("--offline", "holdings", name, "--json")
    assert code == 0, err
    return {r["ticker"]: Decimal(r["quantity"]) for r in json.loads(out)["positions"]}


def test_buy_and_hold_holds_what_the_cash_bought(run: Run) -> None:
    result = backtest(
        run, "buy_and_hold.py", "BuyAndHold", "--from", "2010-01-04", "--to", "2010-12-31"
    )
    market = BundledMarketData()
    close_0104 = market.bar("MSFT", __import__("datetime").date(2010, 1, 4))
    assert close_0104 is not None
    # 98% of the shares 100,000 less the 0 fee buys at the first close, in whole shares
    expected = int(int(Decimal(100000) // close_0104.close) * Decimal("0.98"))
    assert positions(run, "BuyAndHold") == {"MSFT": Decimal(expected)}
    # opened, deposited, rules set, the strategy started; the order placed; filled, bought and
    # the clock stepped to 2010-01-05 (the strategy looked at its position then); one step for
    # the rest of the year: with no open order and no split or dividend due, the quiet days are
    # not saved one by one; and the strategy's one note ("buy N MSFT and hold")
    assert result["events"] == 10
    code, out, err = run("--offline", "rerun", "BuyAndHold")  # a Decimal parameter read back
    assert (code, err) == (0, "")
    assert "identical" in out


def test_sma_cross_reruns_identically_and_is_deterministic(
    run: Run, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    args = ("--from", "2005-01-03", "--to", "2012-12-31", "--param", "fast=20")
    backtest(run, "sma_cross.py", "Cross", *args, "--param", "slow=60", "--commission", "1.00")
    code, out, err = run("--offline", "history", "Cross", "--json")
    assert code == 0, err
    code, out, err = run("--offline", "rerun", "Cross")
    assert (code, err) == (0, "")
    assert "identical" in out
    # the same run in another data directory, exported: the same events
    elsewhere = cli_runner(tmp_path / "elsewhere", capsys, monkeypatch)
    backtest(
        elsewhere, "sma_cross.py", "Cross", *args, "--param", "slow=60", "--commission", "1.00"
    )
    first, second = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    assert run("--offline", "export", "Cross", "-o", str(first))[0] == 0
    assert elsewhere("--offline", "export", "Cross", "-o", str(second))[0] == 0
    a, b = normalised_events(first), normalised_events(second)
    assert len(a) > 20
    assert a == b
    assert {e["topic"].rsplit(".", 1)[-1] for e in a} >= {"OrderFilled", "SharesSold"}
    assert compare_logs(first, second) is None
    # an edited fill is reported as the first event that differs
    lines = second.read_text(encoding="utf-8").splitlines()
    filled = next(i for i, line in enumerate(lines) if "OrderFilled" in line)
    edited = json.loads(lines[filled])
    edited["state"]["fee"] = {"_type_": "decimal_str", "_data_": "9.99"}
    lines[filled] = json.dumps(edited)
    second.write_text("\n".join(lines) + "\n", encoding="utf-8")
    difference = compare_logs(first, second)
    assert difference is not None
    assert difference.startswith(f"event {filled} differs: recorded OrderFilled")
    assert "9.99" in difference


def test_rebalance_keeps_the_basket_near_sixty_percent(run: Run) -> None:
    result = backtest(
        run, "rebalance_60_40.py", "Rebalance6040", "--from", "2005-01-03", "--to", "2006-12-29"
    )
    held = positions(run, "Rebalance6040")
    assert set(held) == {"KO", "PG", "JNJ"}
    market = BundledMarketData()
    day = __import__("datetime").date(2006, 12, 29)
    worth = {t: q * market.bar(t, day).close for t, q in held.items()}  # type: ignore[union-attr]
    value = Decimal(str(result["final_value"]))
    # rebalanced on 2006-10-02 (the quarter's first day) and drifting since: near 20% each
    for ticker, amount in worth.items():
        assert Decimal("0.15") < amount / value < Decimal("0.25"), ticker


def test_a_failing_strategy_is_one_line_and_records_nothing(run: Run, tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text(
        "from erasmo.strategy import Strategy\n\n"
        "class Bad(Strategy):\n"
        "    def on_bar(self, ctx):\n"
        "        return ctx.history('MSFT', 'close', 2).iloc[5]\n",
        encoding="utf-8",
    )
    code, out, err = run(
        "--offline",
        "backtest",
        str(bad),
        "Bad",
        "--cash",
        "1000",
        "--from",
        "2010-01-04",
        "--to",
        "2010-02-01",
    )
    assert code == 1
    assert "bad.py line 5" in err
    assert "IndexError" in err
    assert err.count("\n") == 1
    code, out, err = run("--offline", "portfolio", "list", "--json")
    assert code == 0
    assert json.loads(out) == []


def test_momentum_holds_the_strongest_three_of_the_last_ranking(run: Run) -> None:
    backtest(run, "momentum.py", "Momentum", "--from", "2010-06-01", "--to", "2010-12-31")
    # the last ranking: on 2010-12-01, the return of each stock over the 126 trading days
    # before it (127 closes), computed here from the bundled closes
    market = BundledMarketData()
    day = __import__("datetime").date(2010, 12, 1)
    stocks = "AAPL,AMD,BAC,BBY,CVX,GE,HD,JNJ,JPM,KO,LLY,MRK,MSFT,PEP,PFE,PG,RRC,UNH,WMT,XOM"
    returns = {}
    for ticker in stocks.split(","):
        closes = [b.close for b in market.bars(ticker, None, day)][-127:]
        returns[ticker] = closes[-1] / closes[0] - 1
    best = sorted(returns, key=lambda t: -returns[t])[:3]
    held = positions(run, "Momentum")
    assert set(held) == set(best)
    code, out, err = run("--offline", "rerun", "Momentum")
    assert (code, err) == (0, "")
    assert "identical" in out
