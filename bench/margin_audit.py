"""How long the one rule book takes to audit a margin account's log (buying power is worked out
from the state at every trade and order), next to the same trades in a cash account.

Run: .venv/bin/python bench/margin_audit.py [TRADES]
"""

from __future__ import annotations

import sys
import time
from datetime import date, timedelta
from decimal import Decimal

from events.audit import AuditedEvent, audit_portfolio
from events.portfolio import Portfolio
from events.values import PriceProvenance

D = Decimal


def log(trades: int, account: str) -> list[AuditedEvent]:
    start = date(2000, 1, 3)
    p = Portfolio.open("Bench", start)
    p.deposit(D("1000000"), start)
    if account == "margin":
        p.set_account("margin", start)
    for n in range(trades):
        on = start + timedelta(days=n // 4)
        ticker = ("AAA", "BBB", "CCC", "DDD")[n % 4]
        price = D(100 + (n * 7) % 50)
        how = PriceProvenance("bundled:skfolio", on, True, "explicit")
        if n % 8 < 4:
            p.buy(ticker, D(10), price, on, how, D(1))
        else:
            p.sell(ticker, D(10), price, on, how, D(1))
    events = p.collect_events()
    return [
        AuditedEvent(e.originator_version, type(e).__qualname__.split(".")[-1], vars(e))
        for e in events
    ]


def main() -> None:
    trades = int(sys.argv[1]) if len(sys.argv) > 1 else 4000
    for account in ("cash", "margin"):
        events = log(trades, account)
        began = time.perf_counter()
        problems = audit_portfolio(events)
        took = time.perf_counter() - began
        print(
            f"{account:6} account: {len(events)} events audited in {took * 1000:.0f} ms "
            f"({took / len(events) * 1e6:.0f} us/event), {len(problems)} problems"
        )


if __name__ == "__main__":
    main()
