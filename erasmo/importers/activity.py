"""Interactive Brokers' activity statement: one CSV of many sections, each line starting with
its section's name and "Header" or "Data". The Trades, Deposits & Withdrawals and Dividends
sections become rows with a "Section" cell (their kind); the rest (positions, interest, fees,
totals) is not imported."""

from __future__ import annotations

import re

from erasmo.importers.table import ImportFileError, Row, Table

SECTIONS = ("Trades", "Deposits & Withdrawals", "Dividends")
_DIVIDEND = re.compile(
    r"^(?P<ticker>[A-Z0-9.\-]+)\s*\(.*?\)\s.*?(?P<per>[0-9]+(\.[0-9]+)?) per share", re.I
)


def is_activity_statement(table: Table) -> bool:
    """Whether the file is an activity statement (its lines are "Section,Header|Data,...")."""
    return any(len(r) > 1 and r[1] == "Header" for _line, r in table.lines[:5])


def activity_rows(table: Table) -> list[Row]:
    """The rows of the imported sections, with "Section" (and, for a dividend, "Symbol" and
    "Per Share" read from its description)."""
    headers: dict[str, tuple[str, ...]] = {}
    rows: list[Row] = []
    for line, record in table.lines:
        if len(record) < 2 or record[0] not in SECTIONS:
            continue
        section, what, cells = record[0], record[1], record[2:]
        if what == "Header":
            headers[section] = cells
            continue
        if what != "Data" or section not in headers:
            continue
        names = headers[section]
        if len(cells) != len(names):
            raise ImportFileError(
                f"{table.name}, line {line}: {len(cells)} cells where the {section} header has "
                f"{len(names)}; check the quoting."
            )
        row = dict(zip(names, cells, strict=True))
        if _left_out(section, row):
            continue
        row["Section"] = section
        if section == "Dividends":
            found = _DIVIDEND.match(row.get("Description", ""))
            row["Symbol"] = found["ticker"] if found else row.get("Description", "")
            row["Per Share"] = found["per"] if found else ""
        rows.append(Row(line, row))
    return rows


def _left_out(section: str, row: dict[str, str]) -> bool:
    """Totals and subtotals, and trades of anything but stocks."""
    if any(v.lower().startswith("total") for v in (row.get("Currency", ""),)):
        return True
    if section == "Trades":
        return row.get("DataDiscriminator", "Order") != "Order" or row.get(
            "Asset Category", "Stocks"
        ) not in ("Stocks", "STK")
    return False
