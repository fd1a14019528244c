"""The event log: `erasmo history`, `export`, `import`, `verify` and `check`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from erasmo.cli.context import Context, pass_ctx
from erasmo.cli.output import echo_json, plural, table
from events.logged import LoggedEvent


@click.command()
@click.argument("name")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_ctx
def history(c: Context, name: str, as_json: bool) -> None:
    """Show every event of portfolio NAME, in order."""
    events = c.door.history(c.door.resolve(name), unreadable=True)
    for e in events:  # a fork's recorded position is the origin store's: give this store's
        if e.type == "BranchForked" and e.unreadable is None:
            at = c.door.fork_position(e.fields["parent_id"], e.fields["parent_version"])
            e.fields["parent_seq"] = at
    seqs = {e.version: e.seq for e in events}  # a note or void names its event by version
    for e in events:
        if e.type in ("NoteAdded", "EventVoided") and e.unreadable is None:
            e.fields["about_seq"] = seqs.get(e.fields["about"])
    if as_json:
        echo_json([_as_json(e) for e in events])
        return
    details = _details(events)
    rows = [[str(e.seq), e.on.isoformat(), e.type, d] for e, d in zip(events, details, strict=True)]
    click.echo(table(["seq", "on", "event", "details"], rows, right=[0]))
    unreadable = sum(1 for e in events if e.unreadable is not None)
    if unreadable:
        click.echo(
            f"{plural(unreadable, 'event')} of {name!r} cannot be read by this erasmo: "
            "run 'erasmo check'.",
            err=True,
        )


#: A live portfolio's ClockAdvanced: the market's new days reached (docs/margin.md).
_LIVE_CLOCK = "the live portfolio reached the market's new days, up to this day"


def _details(events: list[LoggedEvent]) -> list[str]:
    """Each event's details; a live portfolio's clock is moved by the market's new days (a
    live margin account's catch-up), not by a simulation's step."""
    mode, details = "live", []  # a portfolio is live until its rules say otherwise
    for e in events:
        if e.type == "TradingRulesSet" and e.unreadable is None:
            mode = str(e.fields.get("mode", mode))
        live_clock = e.type == "ClockAdvanced" and e.unreadable is None and mode == "live"
        details.append(_LIVE_CLOCK if live_clock else e.describe())
    return details


def _as_json(e: LoggedEvent) -> dict[str, Any]:
    entry = {"seq": e.seq, "version": e.version, "type": e.type, "on": e.on}
    if e.unreadable is not None:
        return {**entry, "unreadable": e.unreadable}
    return {**entry, "recorded_at": e.timestamp, **e.fields}


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
