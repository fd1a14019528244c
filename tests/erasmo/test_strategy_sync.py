"""A backtest's StrategyStarted and StrategyStopped travel by sync like any event: the pulling
install holds them as recorded, re-made by its own rules (the SHA-256 is the source's)."""

from __future__ import annotations

import hashlib
from decimal import Decimal

from test_sync_support import DAY, Install, assert_same_events, client

from erasmo.sync.serving import SyncServer

SOURCE = "from erasmo.strategy import Strategy\n\nclass Algo(Strategy):\n    pass\n"


def test_sync_carries_the_strategy(alpha: Install, beta: Install, server: SyncServer) -> None:
    pid = alpha.app.open_portfolio(
        "Algo", DAY, Decimal("1000"), rules=("simulation", "0", Decimal(0))
    )
    started = {
        "file_name": "algo.py",
        "source": SOURCE,
        "class_name": "Algo",
        "params": "{}",
        "erasmo_version": "0.1.0",
        "data_sources": "bundled",
        "start": DAY,
        "end": DAY,
        "cash": Decimal("1000"),
        "commission": "0",
        "slippage_bps": Decimal(0),
        "on": DAY,
    }
    alpha.app.change(pid, lambda p: p.start_strategy(**started))
    alpha.app.change(pid, lambda p: p.stop_strategy("ValueError: no", 4, DAY))

    summary = client(beta, server).sync(push=False)

    assert summary.pulled == 5
    assert_same_events(alpha, beta)
    events = beta.app.history(pid)
    assert [e.type for e in events[3:]] == ["StrategyStarted", "StrategyStopped"]
    assert events[3].fields["sha256"] == hashlib.sha256(SOURCE.encode("utf-8")).hexdigest()
    assert events[4].fields == {"reason": "ValueError: no", "line": 4}
