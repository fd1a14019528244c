"""One portfolio written in a format other programs read, through the front door."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING
from uuid import UUID

from erasmo.exporters.entries import entries_of

if TYPE_CHECKING:
    import pandas as pd

    from erasmo.door import FrontDoor
    from erasmo.exporters.entries import Entry


def export_portfolio(
    door: FrontDoor, portfolio_id: UUID, fmt: str, table: str, output: Path | None
) -> str:
    """Write the portfolio as `fmt` (pp-csv, beancount, csv, parquet) to `output` (whole or not
    at all), or return the text when `output` is None."""
    head = door.head(portfolio_id)
    entries = entries_of(door.history(portfolio_id))
    if fmt == "pp-csv":
        from erasmo.exporters.pp import pp_csv

        return _write(pp_csv(entries, head.currency), output)
    if fmt == "beancount":
        from erasmo.exporters.beancount import ledger

        return _write(ledger(head.name, head.opened_on, entries, head.currency), output)
    frame = _table(door, portfolio_id, table, entries)
    if fmt == "csv":
        return _write(frame.to_csv(index=table != "trades"), output)
    assert output is not None
    with _replacing(output) as temporary:
        frame.to_parquet(temporary)
    return ""


def _table(door: FrontDoor, portfolio_id: UUID, table: str, entries: list[Entry]) -> pd.DataFrame:
    from erasmo.exporters import tables

    if table == "trades":
        return tables.trades_frame(entries)
    if table == "holdings":
        return tables.holdings_frame(door.holdings(portfolio_id))
    return tables.value_frame(door.value_series(portfolio_id))


def _write(text: str, output: Path | None) -> str:
    if output is not None:
        with _replacing(output) as temporary:
            temporary.write_text(text, encoding="utf-8")
    return text


class _replacing:  # noqa: N801 - a context manager read as a phrase
    """A temporary file next to `path` that replaces it when the block ends without error."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __enter__(self) -> Path:
        fd, name = tempfile.mkstemp(dir=self.path.parent or ".", suffix=".part")
        os.close(fd)
        self.temporary = Path(name)
        return self.temporary

    def __exit__(self, kind: object, *_rest: object) -> None:
        if kind is None:
            os.replace(self.temporary, self.path)
        else:
            self.temporary.unlink(missing_ok=True)
