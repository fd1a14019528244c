"""Broker files: `erasmo import-trades NAME FILE.csv`, all or nothing, through the front door."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

import click

from erasmo.cli.context import Context, pass_ctx
from erasmo.cli.output import money, number, plural

if TYPE_CHECKING:
    from erasmo.door.batch import BatchReceipt, RecordedRow
    from erasmo.importers.intents import ImportPlan

FORMATS = ("generic", "ibkr", "schwab", "fidelity", "pp")


@click.command("import-trades")
@click.argument("name")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="generic", show_default=True,
              help="The export's layout: a broker preset, or generic (with --map).")  # fmt: skip
@click.option("--map", "mapping", metavar="FIELD=COLUMN,...",
              help="Columns for the fields (date, type, ticker, quantity, price, fee, amount, "
              "ratio, per_share), e.g. date=Date,ticker=Symbol,side=Action.")  # fmt: skip
@click.option("--date-format", metavar="FORMAT", help="How the file writes dates (e.g. %d/%m/%Y).")
@click.option("--decimal", "decimal_mark", type=click.Choice([".", ","]),
              help="The decimal mark (default: guessed per number).")  # fmt: skip
@click.option("--separator", metavar="CHAR", help="The column separator (default: guessed).")
@click.option("--skip-other", is_flag=True,
              help="Leave out rows of kinds erasmo does not import (interest...).")  # fmt: skip
@click.option("--dry-run", is_flag=True, help="Show what would be recorded; record nothing.")
@click.option("--json", "as_json", is_flag=True, help="Output JSON.")
@pass_ctx
def import_trades(
    c: Context,
    name: str,
    file: Path,
    fmt: str,
    mapping: str | None,
    date_format: str | None,
    decimal_mark: str | None,
    separator: str | None,
    skip_other: bool,
    dry_run: bool,
    as_json: bool,
) -> None:
    """Import the trades, cash moves, dividends and splits of a broker's CSV FILE into
    portfolio NAME, all or nothing; rows imported before are left out."""
    from erasmo.importers import intents_of, preset_for, read_table
    from erasmo.importers.presets import parse_map

    preset = preset_for(fmt)
    if mapping:
        preset = preset.with_map(parse_map(mapping))
    if date_format:
        preset = preset.with_date_format(date_format)
    plan = intents_of(read_table(file, separator), preset, decimal_mark, skip_other)
    receipt = c.door.record_batch(c.door.resolve(name), plan.intents, dry_run=dry_run)
    if as_json:
        click.echo(json.dumps(_as_json(plan, receipt, dry_run), indent=2))
        return
    _echo(plan, receipt, dry_run)


def _echo(plan: ImportPlan, r: BatchReceipt, dry_run: bool) -> None:
    for row in r.recorded:
        click.echo(f"  line {row.line}: {_describe(row)}")
    verb = "Would record" if dry_run else "Recorded"
    extra = f"; {plural(r.already, 'row')} already imported" if r.already else ""
    skipped = (
        f"; {plural(len(plan.skipped), 'row')} of other kinds left out" if plan.skipped else ""
    )
    click.echo(
        f"{verb} {plural(len(r.recorded), 'row')} from {plan.file} into {r.portfolio!r}"
        f"{extra}{skipped}. Cash {money(r.cash_before)} -> {money(r.cash_after)}."
    )


def _describe(row: RecordedRow) -> str:
    if row.kind in ("buy", "sell"):
        fee = f" + fee {money(row.fee)}" if row.fee else ""
        shares = number(row.quantity or Decimal(0))
        unpriced = ""
        if row.unpriced:
            unpriced = f" (no prices for {row.ticker}: valued at its last trade)"
        return f"{row.day} {row.kind} {shares} {row.ticker} at {row.price}{fee}{unpriced}"
    if row.kind == "split":
        return f"{row.day} split {row.ticker} {row.quantity}:1"
    if row.kind == "dividend":
        return f"{row.day} dividend {row.ticker} {row.price} a share = {money(row.amount)}"
    return f"{row.day} {row.kind} {money(row.amount)}"


def _as_json(plan: ImportPlan, r: BatchReceipt, dry_run: bool) -> dict[str, object]:
    return {
        "portfolio": r.portfolio,
        "file": plan.file,
        "encoding": plan.encoding,
        "dry_run": dry_run,
        "recorded": [
            {
                "line": row.line,
                "kind": row.kind,
                "date": row.day.isoformat(),
                "ticker": row.ticker,
                "quantity": None if row.quantity is None else str(row.quantity),
                "price": None if row.price is None else str(row.price),
                "fee": str(row.fee),
                "amount": str(row.amount),
                "unpriced": row.unpriced,
            }
            for row in r.recorded
        ],
        "already_imported": r.already,
        "skipped_lines": [line for line, _word in plan.skipped],
        "cash_before": str(r.cash_before),
        "cash_after": str(r.cash_after),
        "positions": {t: str(q) for t, q in r.positions},
    }
