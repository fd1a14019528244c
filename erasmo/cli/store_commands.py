"""Store commands: `erasmo backup` and `erasmo restore`.

Restore never opens the current store through erasmo: it must work when that store is damaged.
"""

from __future__ import annotations

from pathlib import Path

import click

from erasmo.cli.context import Context, pass_ctx
from erasmo.cli.output import plural


@click.command()
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the backup to FILE (default: a new file in the data directory's backups folder).",
)
@click.option(
    "--keep",
    type=click.IntRange(min=1),
    default=10,
    show_default=True,
    help="Without -o: how many backups to keep in the backups folder (the oldest go).",
)
@pass_ctx
def backup(c: Context, output: Path | None, keep: int) -> None:
    """Make a consistent copy of the event store, even while erasmo is in use.

    A SQLite store is copied page by page with SQLite's online backup API and checked; a
    PostgreSQL store is exported as a hash-chained event log. 'erasmo restore FILE' brings
    either back.
    """
    made = c.door.backup(output, keep=keep)
    what = f"{plural(made.events, 'event')} of {plural(made.portfolios, 'portfolio')}"
    if made.kind == "sqlite":
        click.echo(f"Backed up {what} to {made.path} (SQLite online copy, integrity checked).")
    else:
        click.echo(
            f"The store is PostgreSQL, so its event log was exported instead of a file copy: "
            f"{what} to {made.path}. Bring it back with 'erasmo restore {made.path}'."
        )


@click.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask before replacing the store.")
@pass_ctx
def restore(c: Context, file: Path, yes: bool) -> None:
    """Replace the event store with the backup FILE, after checking it.

    FILE is a SQLite backup or an exported event log. It must pass SQLite's integrity check,
    open as an erasmo store and pass 'erasmo check'; the store it replaces is kept as
    <store>.bak. On PostgreSQL the log's events are imported instead (all or nothing).
    """
    from erasmo.backup import restore_store, verify_backup
    from erasmo.config import resolve_data_dir, resolve_store
    from erasmo.market.bundled import BundledMarketData

    store = resolve_store(resolve_data_dir(c.data_dir), c.store)
    market = BundledMarketData()
    if not yes:
        found = verify_backup(file, market)
        click.confirm(
            f"Replace the store ({store.describe()}) with {file}, which holds "
            f"{plural(found.events, 'event')} of {plural(found.portfolios, 'portfolio')}?",
            abort=True,
        )
    done = restore_store(store, file, market)
    what = f"{plural(done.backup.events, 'event')} of {plural(done.backup.portfolios, 'portfolio')}"
    if done.imported is not None:
        click.echo(
            f"Imported {plural(done.imported, 'new event')} from {file} ({what}, checked) into "
            f"{store.describe()}."
        )
    elif done.previous is not None:
        click.echo(
            f"Restored {what} from {file} (checked). The previous store is kept as {done.previous}."
        )
    else:
        click.echo(f"Restored {what} from {file} (checked).")
