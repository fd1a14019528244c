"""What refusing unreadable events costs `erasmo export`: the export of a synthetic store with
every stored event checked against its type's schema (as `export_log` does), beside the same
export with that check replaced by a bare JSON parse.

    .venv/bin/python bench/export_check.py [TRADES]   (default 20,000)
"""

from __future__ import annotations

import io
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from synthetic import synthetic_store

import events.eventlog as eventlog
from events.application import Portfolios
from events.store import StoreConfig


def timed(app: Portfolios) -> tuple[int, float]:
    started = time.perf_counter()
    count = eventlog.export_log(app, io.StringIO(), erasmo_version="bench")
    return count, time.perf_counter() - started


def main() -> None:
    trades = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    with tempfile.TemporaryDirectory() as folder:
        path = synthetic_store(trades, Path(folder))
        app = Portfolios(StoreConfig.sqlite(path))
        try:
            count, checked = timed(app)
            real = eventlog._readable_state

            def bare(*args: Any) -> dict[str, Any]:
                state: dict[str, Any] = json.loads(args[-1])
                return state

            eventlog._readable_state = bare  # type: ignore[assignment]
            try:
                _count, unchecked = timed(app)
            finally:
                eventlog._readable_state = real
        finally:
            app.close()
    print(f"export of {count:,} events")
    print(f"  every event checked:  {checked:7.2f} s  {count / checked:9,.0f} events/s")
    print(f"  bare JSON parse:      {unchecked:7.2f} s  {count / unchecked:9,.0f} events/s")
    print(f"  cost of the check:    {checked / unchecked:7.2f} x")


if __name__ == "__main__":
    main()
