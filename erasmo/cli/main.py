"""The `erasmo` command: every use case, scriptable.

Exit codes: 0 success; 1 a rejected command or invalid input (one line on stderr, nothing
recorded); 2 a usage error. `--json` output carries money and quantities as decimal strings.

The command modules (`*_commands`, `reports`) declare the commands against `erasmo.cli.context`;
this module assembles them into the command tree and imports back nothing that imports it. A
command's module is imported when the command is asked for (to run, or listed by --help), so a
command loads none of the others' modules.
"""

from __future__ import annotations

import importlib
import re
import sys
from typing import NoReturn

import click

from erasmo import __version__
from erasmo.cli.context import Context, pass_ctx
from erasmo.cli.ranges import PickError
from events.errors import ErasmoError

#: Each command of `erasmo`: the module declaring it and its name there.
COMMANDS: dict[str, tuple[str, str]] = {
    "portfolio": ("portfolio_commands", "portfolio"),
    "deposit": ("trade_commands", "deposit"),
    "withdraw": ("trade_commands", "withdraw"),
    "buy": ("trade_commands", "buy"),
    "sell": ("trade_commands", "sell"),
    "order": ("orders_commands", "order"),
    "orders": ("orders_commands", "orders"),
    "cancel": ("orders_commands", "cancel"),
    "clock": ("orders_commands", "clock"),
    "advance": ("orders_commands", "advance"),
    "actions": ("action_commands", "actions"),
    "history": ("log_commands", "history"),
    "export": ("export_commands", "export_cmd"),
    "import": ("log_commands", "import_cmd"),
    "verify": ("log_commands", "verify"),
    "import-trades": ("import_commands", "import_trades"),
    "check": ("log_commands", "check"),
    "holdings": ("reports", "holdings"),
    "allocation": ("allocation_commands", "allocation"),
    "income": ("allocation_commands", "income"),
    "performance": ("reports", "performance"),
    "value": ("reports", "value"),
    "replay": ("reports", "replay"),
    "trades": ("journal_commands", "trades"),
    "stats": ("journal_commands", "stats"),
    "report": ("journal_commands", "report"),
    "note": ("journal_commands", "note"),
    "void": ("journal_commands", "void"),
    "compare": ("branch_commands", "compare"),
    "leaderboard": ("branch_commands", "leaderboard"),
    "prices": ("price_commands", "prices"),
    "backup": ("store_commands", "backup"),
    "restore": ("store_commands", "restore"),
    "serve": ("sync_commands", "serve"),
    "sync": ("sync_commands", "sync_cmd"),
    "backtest": ("strategy_commands", "backtest"),
    "rerun": ("strategy_commands", "rerun"),
    "sweep": ("strategy_commands", "sweep"),
}
#: The commands of a group that are declared in other modules (`portfolio fork`, `portfolio rules`).
JOINED: dict[str, tuple[tuple[str, str], ...]] = {
    "portfolio": (
        ("branch_commands", "portfolio_fork"),
        ("branch_commands", "portfolio_branches"),
        ("orders_commands", "portfolio_rules"),
    ),
}


def _declared(module: str, name: str) -> click.Command:
    command = getattr(importlib.import_module(f"erasmo.cli.{module}"), name)
    assert isinstance(command, click.Command), (module, name)
    return command


def load_command(name: str) -> click.Command:
    """The command `name` of `erasmo`, from its module, with the commands joining it."""
    command = _declared(*COMMANDS[name])
    for module, joined in JOINED.get(name, ()):
        assert isinstance(command, click.Group)
        command.add_command(_declared(module, joined))
    _state_date_format(command)
    return command


class _Commands(click.Group):
    """The `erasmo` group: each command is loaded when it is asked for."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            self.add_command(load_command(cmd_name), cmd_name)
        return super().get_command(ctx, cmd_name)


@click.group(cls=_Commands, invoke_without_command=True)
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


def _state_date_format(command: click.Command) -> None:
    """Make every option that takes a DATE say its format in --help, in whichever module it is
    declared (in a group: in each of its commands)."""
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            _state_date_format(sub)
    for param in command.params:
        if not isinstance(param, click.Option) or "DATE" not in (param.metavar or ""):
            continue
        if "YYYY-MM-DD" not in (param.help or ""):  # first, where --help never wraps it
            form = "YYYY-MM-DD" if param.metavar == "DATE" else "DATE is YYYY-MM-DD"
            param.help = f"({form}) {param.help or ''}".rstrip()


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
