"""The `erasmo` command: every use case, scriptable.

Exit codes: 0 success; 1 a rejected command or invalid input (one line on stderr, nothing
recorded); 2 a usage error. `--json` output carries money and quantities as decimal strings.

The command modules (`*_commands`, `reports`) declare the commands against `erasmo.cli.context`;
this module assembles them into the command tree and imports back nothing that imports it.
"""

from __future__ import annotations

import re
import sys
from typing import NoReturn

import click

from erasmo import __version__
from erasmo.cli import (
    action_commands,
    allocation_commands,
    branch_commands,
    export_commands,
    import_commands,
    journal_commands,
    log_commands,
    orders_commands,
    portfolio_commands,
    price_commands,
    reports,
    store_commands,
    strategy_commands,
    sync_commands,
    trade_commands,
)
from erasmo.cli.context import Context, pass_ctx
from erasmo.cli.ranges import PickError
from events.errors import ErasmoError


@click.group(invoke_without_command=True)
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False),
    help="Data directory (default: $ERASMO_HOME or the user data directory).",
)
@click.option(
    "--store",
    metavar="URL",
    help="Event store URL, e.g. postgresql://postgres@127.0.0.1:5432/erasmo "
    "(default: $ERASMO_STORE or the SQLite file in the data directory).",
)
@click.option(
    "--offline",
    is_flag=True,
    help="Never use the network: prices from the bundled data and the price cache only "
    "(also ERASMO_OFFLINE=1).",
)
@click.version_option(__version__, prog_name="erasmo")
@click.pass_context
def cli(ctx: click.Context, data_dir: str | None, store: str | None, offline: bool) -> None:
    """erasmo: a stock-trading simulator on real historical prices.

    It never trades real money: every portfolio is virtual. Without a command, erasmo opens
    the desktop app.
    """
    ctx.obj = Context(data_dir, store, offline)
    ctx.call_on_close(ctx.obj.close)
    if ctx.invoked_subcommand is None:
        ctx.invoke(gui)


@cli.command()
@pass_ctx
def gui(c: Context) -> None:
    """Open the desktop app (the default when no command is given)."""
    if c.offline:  # the desktop app builds erasmo itself: hand it the flag this way
        import os

        os.environ["ERASMO_OFFLINE"] = "1"
    sys.exit(_run_desktop_app(c.data_dir, c.store))


def _run_desktop_app(data_dir: str | None, store: str | None) -> int:
    """Start the desktop front end that the installed packages declare.

    erasmo never imports the layer above it: the `gui` package registers itself under the
    `erasmo.frontends` entry point (see pyproject.toml), and only this command looks it up, so
    the other commands (`erasmo buy`) never load Qt or pandas.
    """
    from importlib.metadata import entry_points

    found = entry_points(group="erasmo.frontends", name="desktop")
    if not found:
        raise click.ClickException(
            "No desktop front end is installed. It comes with erasmo: reinstall it (pipx "
            "reinstall erasmo, or pip install --force-reinstall erasmo)."
        )
    try:
        run = next(iter(found)).load()
    except ImportError as error:
        raise click.ClickException(
            f"The desktop app cannot start ({error}). Reinstall erasmo: pipx reinstall erasmo, "
            "or pip install --force-reinstall erasmo."
        ) from None
    code: int = run(data_dir, store)
    return code


# The command tree. Each command module declares its commands and imports nothing of this one;
# the commands of a group declared elsewhere (`portfolio fork`, `portfolio rules`) join it here.
portfolio_commands.portfolio.add_command(branch_commands.portfolio_fork)
portfolio_commands.portfolio.add_command(branch_commands.portfolio_branches)
portfolio_commands.portfolio.add_command(orders_commands.portfolio_rules)
for command in (
    portfolio_commands.portfolio,
    trade_commands.deposit,
    trade_commands.withdraw,
    trade_commands.buy,
    trade_commands.sell,
    orders_commands.order,
    orders_commands.orders,
    orders_commands.cancel,
    orders_commands.clock,
    orders_commands.advance,
    action_commands.actions,
    log_commands.history,
    export_commands.export_cmd,
    log_commands.import_cmd,
    log_commands.verify,
    import_commands.import_trades,
    log_commands.check,
    reports.holdings,
    allocation_commands.allocation,
    allocation_commands.income,
    reports.performance,
    reports.value,
    reports.replay,
    journal_commands.trades,
    journal_commands.stats,
    journal_commands.report,
    journal_commands.note,
    journal_commands.void,
    branch_commands.compare,
    branch_commands.leaderboard,
    price_commands.prices,
    store_commands.backup,
    store_commands.restore,
    sync_commands.serve,
    sync_commands.sync_cmd,
    strategy_commands.backtest,
    strategy_commands.rerun,
    strategy_commands.sweep,
):
    cli.add_command(command)


def _state_date_format(group: click.Group) -> None:
    """Make every option that takes a DATE say its format in --help, in whichever module it is
    declared."""
    for command in group.commands.values():
        if isinstance(command, click.Group):
            _state_date_format(command)
        for param in command.params:
            if not isinstance(param, click.Option) or "DATE" not in (param.metavar or ""):
                continue
            if "YYYY-MM-DD" not in (param.help or ""):  # first, where --help never wraps it
                form = "YYYY-MM-DD" if param.metavar == "DATE" else "DATE is YYYY-MM-DD"
                param.help = f"({form}) {param.help or ''}".rstrip()


_state_date_format(cli)


def main() -> None:
    """Console-script entry point: run the CLI, turning erasmo's errors into exit code 1."""
    try:
        code = cli.main(standalone_mode=False, prog_name="erasmo")
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(1)
    except PickError as error:  # it says what to pick already
        _refuse(error.format_message(), error.exit_code)
    except click.UsageError as error:
        where = error.ctx.command_path if error.ctx is not None else "erasmo"
        _refuse(f"{error.format_message().rstrip('.')}; see '{where} --help'.", error.exit_code)
    except click.ClickException as error:
        _refuse(error.format_message(), error.exit_code)
    except ErasmoError as error:
        _refuse(str(error), 1)
    except BrokenPipeError:
        sys.exit(0)
    except OSError as error:  # a path the system refuses (missing, too long, no permission, ...)
        where = str(error.filename or "")
        shown = where if len(where) <= 80 else f"{where[:40]}…{where[-30:]}"
        _refuse(
            f"cannot use {shown!r}: {error.strerror or error}; nothing was changed. Give another "
            "path (--data-dir, --store or the file named).",
            1,
        )
    sys.exit(code if isinstance(code, int) else 0)


_LINE_BREAKS = re.compile(r"\s*[\r\n]+\s*")


def _refuse(message: str, code: int) -> NoReturn:
    """A refusal is one line on stderr, always."""
    one_line = _LINE_BREAKS.sub(" ", message).strip()
    click.echo(f"erasmo: {one_line}", err=True)
    sys.exit(code)
