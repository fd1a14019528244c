"""How fast a log is checked by replaying it through the aggregate's commands.

The audit (`erasmo check`, import, forks) re-makes every event with the `Portfolio` command that
records it (`events.replay`). A portfolio of N events (a deposit, then N/2 days each with a buy
and a sell) is built in memory and audited; printed: the time per run and per event.

    python bench/rule_book.py [--events 20000] [--runs 3]
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import date, timedelta
from decimal import Decimal

from events.audit import AuditedEvent, audit_portfolio
from events.portfolio import Portfolio
from events.values import PriceProvenance

ENVELOPE = ("originator_id", "originator_version", "timestamp", "originator_topic")


def log(count: int) -> list[AuditedEvent]:
    day = date(2000, 1, 3)
    p = Portfolio.open("Bench", day)
    p.deposit(Decimal(10**9), day)
    for _ in range(max(0, count - 2) // 2):
        day += timedelta(days=1)
        close = PriceProvenance("bundled:skfolio", day, True, "close")
        p.buy("AAPL", Decimal(2), Decimal("10.5"), day, close)
        p.sell("AAPL", Decimal(1), Decimal(11), day, close)
    return [
        AuditedEvent(
            e.originator_version,
            type(e).__name__,
            {k: v for k, v in vars(e).items() if k not in ENVELOPE},
        )
        for e in p.collect_events()
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    events = log(args.events)
    times = []
    for _ in range(args.runs):
        start = time.perf_counter()
        problems = audit_portfolio(events)
        times.append(time.perf_counter() - start)
        assert problems == [], problems
    best, median = min(times), statistics.median(times)
    print(f"audit of {len(events):,} events: best {best:.2f} s, median {median:.2f} s")
    print(f"per event: {best / len(events) * 1e6:.0f} us (replayed through the commands)")


if __name__ == "__main__":
    main()
