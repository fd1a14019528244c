"""`erasmo prices refresh/list/clear`, `--offline` and trading a Yahoo ticker, end to end in-process
(real SQLite store and price cache; Yahoo replayed at yfinance's HTTP layer)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_runner import Run
from yahoo_replay import Scenario, YahooReplay, install

OFFLINE_NVDA = (
    "NVDA is not in the bundled data and erasmo is offline (--offline / ERASMO_OFFLINE); "
    "go online to fetch it from Yahoo."
)


@pytest.fixture
def replay(monkeypatch: pytest.MonkeyPatch) -> Iterator[YahooReplay]:
    monkeypatch.delenv("ERASMO_OFFLINE")  # these tests are online, against the replay
    served = install(monkeypatch)
    served.scenarios |= {
        "PLTR": Scenario("normal"),
        "T": Scenario("dividend"),
        "NVDA": Scenario("split"),
    }
    yield served
    served.release.set()


def test_refresh_list_and_clear(run: Run, replay: YahooReplay, tmp_path: Path) -> None:
    code, out, err = run("prices", "refresh", "PLTR", "t", "AAPL")
    assert code == 0, err
    rows = {line.split()[0]: line.split()[1:3] for line in out.splitlines()[2:5]}
    assert rows == {"PLTR": ["updated", "9"], "T": ["updated", "5"], "AAPL": ["bundled", "0"]}
    assert "Refreshing" in err  # the progress bar, on stderr
    assert "Live prices: online (Yahoo). Cache: 2 tickers" in out

    code, out, _ = run("prices", "list", "--json")
    listed = {t["ticker"]: t for t in json.loads(out)}
    assert listed["PLTR"]["source"] == "yahoo"
    assert listed["PLTR"]["adjusted"] is False
    assert (listed["PLTR"]["first"], listed["PLTR"]["last"]) == ("2024-11-18", "2024-11-29")
    assert listed["PLTR"]["cached"] is True
    assert listed["AAPL"]["cached"] is False
    assert listed["AAPL"]["source"] == "bundled:skfolio"
    code, out, _ = run("prices", "list")
    pltr = next(line for line in out.splitlines() if line.startswith("PLTR"))
    assert "yahoo" in pltr
    assert "cached, fetched" in pltr
    assert str(tmp_path / "data" / "prices.sqlite") in out

    # Refreshing again asks only for what is new (here: nothing, the history is complete).
    before = len(replay.history_requests())
    code, out, _ = run("prices", "refresh")
    assert code == 0
    assert [line.split()[1] for line in out.splitlines()[2:4]] == ["current", "current"]
    assert len(replay.history_requests()) == before  # covered to the last session already

    code, out, _ = run("prices", "clear", "T")
    assert (code, out.strip()) == (0, "Cleared 1 ticker (5 bars) from the price cache.")
    code, out, _ = run("prices", "clear")
    assert out.strip() == "Cleared 1 ticker (9 bars) from the price cache."
    code, out, _ = run("prices", "list", "--json")
    assert "PLTR" not in {t["ticker"] for t in json.loads(out)}


def test_refresh_of_an_unknown_ticker_fails_with_exit_1(run: Run, replay: YahooReplay) -> None:
    code, out, err = run("prices", "refresh", "PLTR", "ZZZZQ")
    assert code == 1
    assert "Unknown ticker 'ZZZZQ'" in out
    assert "could not refresh ZZZZQ" in err


def test_offline_flag_forbids_the_network(run: Run, replay: YahooReplay) -> None:
    code, _, err = run("--offline", "prices", "refresh", "PLTR")
    assert code == 1
    assert err.strip().endswith("Nothing was refreshed: erasmo runs offline (--offline).")
    run("portfolio", "open", "Tech", "--cash", "10000", "--on", "2015-03-02")
    code, _, err = run("--offline", "buy", "Tech", "NVDA", "5")
    assert code == 1
    assert err.strip().endswith(OFFLINE_NVDA)
    assert "Unknown ticker" not in err
    code, out, _ = run("--offline", "prices", "list")
    assert "offline: erasmo runs offline (--offline)." in out
    assert replay.requests == []


def test_environment_variable_forbids_the_network(
    run: Run, replay: YahooReplay, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ERASMO_OFFLINE", "1")
    code, _, err = run("prices", "refresh", "PLTR")
    assert code == 1
    assert "ERASMO_OFFLINE is set" in err
    assert replay.requests == []


def test_offline_says_why_a_real_ticker_is_missing_for_trades_and_benchmarks(
    run: Run, replay: YahooReplay, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ERASMO_OFFLINE", "1")
    run("portfolio", "open", "Tech", "--cash", "10000", "--on", "2015-03-02")
    run("buy", "Tech", "AAPL", "5", "--on", "2015-03-02")
    before = run("portfolio", "list", "--json")[1]
    code, _, err = run("buy", "Tech", "NVDA", "5", "--on", "2015-03-03")
    assert (code, err.strip().endswith(OFFLINE_NVDA)) == (1, True), err
    code, _, err = run("performance", "Tech", "--benchmark", "nvda")
    assert (code, err.strip().endswith(OFFLINE_NVDA)) == (1, True), err
    code, _, err = run("performance", "Tech", "--benchmark", "APPL")
    assert code == 1
    assert (
        "APPL is not in the bundled data and erasmo is offline (--offline / ERASMO_OFFLINE); "
        "go online to fetch it from Yahoo. Did you mean AAPL"
    ) in err
    assert run("portfolio", "list", "--json")[1] == before  # nothing recorded
    assert replay.requests == []

    # Online, a symbol Yahoo does not know is still an unknown ticker.
    monkeypatch.delenv("ERASMO_OFFLINE")
    code, _, err = run("buy", "Tech", "ZZZZQ", "5", "--on", "2015-03-03")
    assert code == 1
    assert "Unknown ticker 'ZZZZQ'." in err
    assert "offline" not in err
    code, _, err = run("performance", "Tech", "--benchmark", "ZZZZQ")
    assert code == 1
    assert "Unknown ticker 'ZZZZQ'." in err


def test_buy_a_yahoo_ticker_then_trade_it_offline_from_the_cache(
    run: Run, replay: YahooReplay
) -> None:
    run("portfolio", "open", "Tech", "--cash", "10000", "--on", "2015-03-02")
    code, out, err = run("buy", "Tech", "NVDA", "5", "--on", "2024-06-07")
    assert code == 0, err
    # 5 x 1208.88 (the raw close of 2024-06-07 in the payload) = 6,044.40
    assert out.startswith("Bought 5 NVDA at 1208.88 on 2024-06-07 (yahoo) = 6,044.40.")
    code, out, err = run("--offline", "sell", "Tech", "NVDA", "2")
    assert code == 0, err
    assert "Sold 2 NVDA at 125.2 on 2024-06-12 (yahoo)" in out
    assert len(replay.history_requests("NVDA")) == 1
    code, out, _ = run("history", "Tech")
    assert "5 NVDA @ 1208.88 = 6,044.40 [yahoo]" in out
    code, out, _ = run("--offline", "holdings", "Tech", "--json")
    held = json.loads(out)
    nvda = next(p for p in held["positions"] if p["ticker"] == "NVDA")
    assert held["as_of"] == "2024-06-12"  # the calendar goes on with the cached Yahoo days
    assert nvda["market_value"] == "375.60"  # 3 x 125.2, NVDA's last cached close
    code, out, _ = run("--offline", "check")
    assert code == 0
    # With the cache cleared and no network, the recorded trades still check out.
    run("prices", "clear")
    code, out, _ = run("--offline", "check")
    assert (code, out.split(":")[0]) == (0, "OK")


def test_a_rate_limited_buy_records_nothing(run: Run, replay: YahooReplay) -> None:
    replay.scenarios["PLTR"] = Scenario(status=429, body="Too Many Requests")
    run("portfolio", "open", "Tech", "--cash", "10000", "--on", "2015-03-02")
    code, _, err = run("buy", "Tech", "PLTR", "1")
    assert code == 1
    assert "Yahoo is limiting requests (HTTP 429)" in err
    code, out, _ = run("portfolio", "list", "--json")
    assert sum(p["version"] for p in json.loads(out)) == 2  # opened, deposited: no trade
    code, out, _ = run("prices", "list")
    assert "Yahoo failed" in out


def test_installing_yfinance_takes_effect_at_the_next_buy(
    run: Run, replay: YahooReplay, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    run("portfolio", "open", "Tech", "--cash", "10000", "--on", "2015-03-02")
    with monkeypatch.context() as blocked:
        blocked.setitem(sys.modules, "yfinance", None)  # not installed: `import yfinance` fails
        code, _, err = run("buy", "Tech", "NVDA", "5", "--on", "2024-06-07")
        assert code == 1
        assert err.strip().endswith(
            "Live prices need yfinance, which is not installed: pip install 'erasmo[market]'."
        )
        code, out, _ = run("prices", "list")
        assert "Live prices: online (Yahoo)." in out  # no pause was kept for a missing package
    code, out, err = run("buy", "Tech", "NVDA", "5", "--on", "2024-06-07")
    assert code == 0, err
    assert out.startswith("Bought 5 NVDA at 1208.88 on 2024-06-07 (yahoo)")


def test_a_network_failure_pauses_yahoo_and_says_so_once(run: Run, replay: YahooReplay) -> None:
    replay.scenarios["PLTR"] = Scenario(raises=OSError("network unreachable"))
    run("portfolio", "open", "Tech", "--cash", "10000", "--on", "2015-03-02")
    code, _, err = run("buy", "Tech", "PLTR", "1")
    assert code == 1
    assert "Could not get PLTR's prices from Yahoo (network unreachable)." in err
    asked = len(replay.requests)
    replay.scenarios["PLTR"] = Scenario("normal")
    code, _, err = run("buy", "Tech", "PLTR", "1")
    assert code == 1
    assert len(replay.requests) == asked  # paused: Yahoo was not asked again
    assert "Yahoo failed a few minutes ago (network unreachable); erasmo asks it again" in err
    assert "erasmo: erasmo" not in err  # the program's name is said once, as the prefix
