"""How long `erasmo import-trades` takes on a broker file of many rows.

A generic CSV of one deposit and N trades of IBM (bought and sold in turn, each at that day's
close, one trade a trading day from 2000-03-01) is read, dry-run and recorded into a fresh
SQLite store; then the same file is imported again (every row is recognised, nothing recorded).
Printed: the times of reading the file, the dry run, the import and the repeated import.

    python bench/import_trades.py [--rows 2000]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from erasmo.bootstrap import bootstrap
from erasmo.importers import intents_of, preset_for, read_table


def write_file(path: Path, rows: int, door: object) -> None:
    from erasmo.door import FrontDoor

    assert isinstance(door, FrontDoor)
    days = [d for d in door.market.trading_days("IBM") if d.isoformat() >= "2000-03-01"][:rows]
    lines = ["Date,Type,Ticker,Quantity,Price,Fee,Amount", "2000-03-01,deposit,,,,,1000000"]
    for n, day in enumerate(days):
        bar = door.market.bar("IBM", day)
        assert bar is not None
        lines.append(f"{day},{'buy' if n % 2 == 0 else 'sell'},IBM,10,{bar.close},1.00,")
    path.write_text("\n".join(lines) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=2000)
    rows = parser.parse_args().rows
    with tempfile.TemporaryDirectory() as folder:
        erasmo = bootstrap(Path(folder) / "data", offline=True)
        door = erasmo.door
        file = Path(folder) / "trades.csv"
        write_file(file, rows, door)
        pid = door.open_portfolio("Bench", on="2000-03-01").id

        start = time.perf_counter()
        plan = intents_of(read_table(file), preset_for("generic"))
        read = time.perf_counter() - start
        start = time.perf_counter()
        door.record_batch(pid, plan.intents, dry_run=True)
        dry = time.perf_counter() - start
        start = time.perf_counter()
        receipt = door.record_batch(pid, plan.intents)
        real = time.perf_counter() - start
        start = time.perf_counter()
        again = door.record_batch(pid, plan.intents)
        repeat = time.perf_counter() - start
        erasmo.close()
    print(f"rows: {len(plan.intents)} ({len(receipt.recorded)} recorded, {again.already} known)")
    print(f"read and parse: {read:.3f} s")
    print(f"dry run:        {dry:.3f} s")
    print(f"import:         {real:.3f} s")
    print(f"import again:   {repeat:.3f} s")


if __name__ == "__main__":
    main()
