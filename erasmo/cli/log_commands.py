"""The event log: `erasmo history`, `export`, `import`, `verify` and `check`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from erasmo.cli.context import Context, pass_ctx
from erasmo.cli.orders_commands import describe_order_event
from erasmo.cli.output import echo_json, money, number, plural, table


@click.command()
@click.argument("name")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_ctx
def history(c: Context, name: str, as_json: bool) -> None:
    """Show every event of portfolio NAME, in order."""
    events = c.door.history(c.door.resolve(name))
    for e in events:  # a fork's recorded position is the origin store's: give this store's
        if e.type == "BranchForked":
            at = c.door.fork_position(e.fields["parent_id"], e.fields["parent_version"])
            e.fields["parent_seq"] = at
    seqs = {e.version: e.seq for e in events}  # a note names its event by version: show seq
    for e in events:
        if e.type == "NoteAdded":
            e.fields["about_seq"] = seqs.get(e.fields["about"])
    if as_json:
        echo_json(
            [
                {
                    "seq": e.seq,
                    "version": e.version,
                    "type": e.type,
                    "on": e.on,
                    "recorded_at": e.timestamp,
                    **e.fields,
                }
                for e in events
            ]
        )
        return
    rows = [
        [str(e.seq), e.on.isoformat(), e.type, describe_order_event(e.type, e.fields) or ""]
        if e.type.startswith(("Order", "TradingRules", "Clock"))
        else [str(e.seq), e.on.isoformat(), e.type, _describe(e.fields)]
        for e in events
    ]
    click.echo(table(["seq", "on", "event", "details"], rows, right=[0]))


def _describe(fields: dict[str, Any]) -> str:
    # the journal's notes
    if "about_seq" in fields:
        tags = "".join(f" #{tag}" for tag in str(fields["tags"]).split())
        return f"on seq {fields['about_seq']}: {fields['text']!r}{tags}"
    # corporate actions
    if "ratio" in fields:
        return f"{fields['ticker']} split {number(fields['ratio'])} for 1"
    if "amount_per_share" in fields:
        return (
            f"{number(fields['quantity'])} {fields['ticker']} x {fields['amount_per_share']} "
            f"= {money(fields['amount'])} dividend"
        )
    if "ticker" in fields:
        fee = f", fee {money(fields['fee'])}" if fields["fee"] else ""
        return (
            f"{number(fields['quantity'])} {fields['ticker']} @ {fields['price']} = "
            f"{money(fields['value'])}{fee} [{fields['price_source']}]"
        )
    if "amount" in fields:
        return money(fields["amount"])
    # what-if branches
    if "parent_name" in fields:
        at = fields["parent_seq"]
        where = "not in this store" if at is None else f"seq {at}"
        return (
            f"from {fields['parent_name']!r} after its event {fields['parent_version']} ({where})"
        )
    if "name" in fields:
        return repr(fields["name"])
    return ""


@click.command("export")
@click.argument("names", nargs=-1)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to FILE (default: standard output).",
)
@pass_ctx
def export_cmd(c: Context, names: tuple[str, ...], output: Path | None) -> None:
    """Export the event log (of every portfolio, or of NAMES) as hash-chained JSON Lines."""
    ids = [c.door.resolve(n) for n in names]
    if output is None:
        c.door.export_log(None, ids, out=sys.stdout)
        return
    count = c.door.export_log(output, ids)
    click.echo(f"Exported {plural(count, 'event')} to {output}.")


@click.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check the file against the store; record nothing.")
@pass_ctx
def import_cmd(c: Context, file: Path, dry_run: bool) -> None:
    """Import an exported event log, all or nothing; events already held are skipped."""
    done = c.door.import_log(file, dry_run=dry_run)
    new, held = done.new, done.events - done.new
    verb = "Would import" if dry_run else "Imported"
    click.echo(
        f"{verb} {plural(new, 'new event')} of {plural(len(done.portfolios), 'portfolio')} "
        f"from {file} ({held:,} already held)."
    )


@click.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def verify(file: Path) -> None:
    """Check an event-log file's hash chain and count without importing it."""
    from erasmo.door.logs import verify_log

    log = verify_log(file)
    click.echo(
        f"OK: {plural(log.events, 'event')} of {plural(len(log.portfolios), 'portfolio')}, "
        f"written by erasmo {log.erasmo_version}; chain ends {log.last_hash[:16]}."
    )


@click.command()
@pass_ctx
def check(c: Context) -> None:
    """Replay every portfolio and report every broken invariant (exit 1 if any), then list the
    events this install lacks the market data to check (unverified)."""
    unverified: list[Any] = []
    count, findings = c.door.check(unverified)
    for f in findings:
        click.echo(f"{f.portfolio}: event {f.version} ({f.event_type}): {f.message}", err=True)
    if findings:
        click.echo(f"{plural(len(findings), 'problem')} in {plural(count, 'portfolio')}.", err=True)
    else:
        events = plural(c.door.event_count(), "event")
        click.echo(f"OK: {plural(count, 'portfolio')}, {events}, no problems.")
    for f in unverified:
        click.echo(f"{f.portfolio}: event {f.version} ({f.event_type}) is unverified: {f.message}")
    if findings:
        sys.exit(1)
