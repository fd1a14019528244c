"""The `erasmo` command: every use case, scriptable.

Exit codes: 0 success; 1 a rejected command or invalid input (one line on stderr, nothing
recorded); 2 a usage error. `--json` output carries money and quantities as decimal strings.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from erasmo import __version__
from erasmo.cli.output import echo_json, money, number, plural, table
from erasmo.cli.ranges import PickError
from events.errors import ErasmoError
from events.values import parse_money

if TYPE_CHECKING:
    from erasmo.bootstrap import Erasmo

F = TypeVar("F", bound=Callable[..., Any])


class Context:
    """Lazily built erasmo: `--help` and usage errors never open the store."""

    def __init__(self, data_dir: str | None, store: str | None, offline: bool = False) -> None:
        self.data_dir = data_dir
        self.store = store
        self.offline = offline
        self._erasmo: Erasmo | None = None

    @property
    def erasmo(self) -> Erasmo:
        if self._erasmo is None:
            from erasmo.bootstrap import bootstrap

            self._erasmo = bootstrap(self.data_dir, self.store, offline=self.offline)
        return self._erasmo

    def close(self) -> None:
        if self._erasmo is not None:
            self._erasmo.close()


pass_ctx = click.make_pass_decorator(Context)
#: "-3" reaches the argument (and its "must be greater than zero" message), not option parsing.
NUMBERS_MAY_BE_NEGATIVE = {"ignore_unknown_options": True}


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


# -- portfolios -----------------------------------------------------------------------------


@cli.group()
def portfolio() -> None:
    """Open, list, rename, close, reopen, delete and undelete portfolios."""


@portfolio.command("open")
@click.argument("name")
@click.option("--cash", metavar="AMOUNT", help="Deposit this much cash on opening.")
@click.option(
    "--on",
    "on",
    metavar="DATE",
    help="Market date the portfolio starts on (default: the latest in the data, which allows no "
    "trade in the past; a simulation needs it).",
)
@click.option(
    "--mode",
    type=click.Choice(["simulation", "live"], case_sensitive=False),
    help="simulation: the clock starts on --on and moves only with 'advance'; live (default): "
    "the clock follows the latest data.",
)
@click.option("--commission", metavar="SPEC", help="E.g. 1.00, 0.005/share, 0.1%,min=1,max=20.")
@click.option("--slippage-bps", metavar="N", help="Slippage against the trader, basis points.")
@pass_ctx
def portfolio_open(
    c: Context,
    name: str,
    cash: str | None,
    on: str | None,
    mode: str | None,
    commission: str | None,
    slippage_bps: str | None,
) -> None:
    """Open a new portfolio called NAME."""
    if mode is None and commission is None and slippage_bps is None:
        portfolio_id = c.erasmo.trading.open_portfolio(name, cash, on)
    else:
        portfolio_id = c.erasmo.simulation.open_portfolio(
            name, cash, on, mode or "live", commission or "0", slippage_bps or "0"
        )
    p = c.erasmo.app.portfolio(portfolio_id)
    click.echo(f"Opened {p.name!r} on {p.opened_on} with {money(p.cash)} {p.currency} in cash.")
    if on is None and c.erasmo.trading.opened_at_end_of_data(portfolio_id):
        click.echo(
            f"{p.opened_on} is the last day of the data, and a portfolio's clock only moves "
            "forward; to trade in the past, open a portfolio with --on DATE."
        )
    if p.mode != "live" or p.commission != "0" or p.slippage_bps:
        click.echo(
            f"Mode {p.mode} (clock {p.clock}), commission {p.commission}, slippage "
            f"{p.slippage_bps} bps."
        )


@portfolio.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--deleted", is_flag=True, help="List the deleted portfolios (with when) instead.")
@pass_ctx
def portfolio_list(c: Context, as_json: bool, deleted: bool) -> None:
    """List every portfolio."""
    if deleted:
        from erasmo.cli.portfolio_commands import list_deleted

        list_deleted(c, as_json)
        return
    summaries = c.erasmo.app.summaries()
    if as_json:
        echo_json(
            [
                {
                    "id": s.id,
                    "name": s.name,
                    "cash": s.cash,
                    "currency": s.currency,
                    "clock": s.clock,
                    "version": s.version,
                    "closed": s.closed,
                }
                for s in summaries
            ]
        )
        return
    if not summaries:
        click.echo("No portfolios yet. Open one with: erasmo portfolio open NAME --cash 10000")
        return
    rows = [
        [
            s.name,
            money(s.cash),
            s.currency,
            s.clock.isoformat(),
            str(s.version),
            "closed" if s.closed else "open",
        ]
        for s in summaries
    ]
    click.echo(table(["name", "cash", "ccy", "clock", "events", "status"], rows, right=[1, 4]))


@portfolio.command("rename")
@click.argument("name")
@click.argument("new_name")
@pass_ctx
def portfolio_rename(c: Context, name: str, new_name: str) -> None:
    """Rename portfolio NAME to NEW_NAME."""
    c.erasmo.trading.rename(name, new_name)
    click.echo(f"Renamed {name!r} to {new_name.strip()!r}.")


@portfolio.command("close")
@click.argument("name")
@pass_ctx
def portfolio_close(c: Context, name: str) -> None:
    """Close portfolio NAME: its history stays, no more commands are accepted until it is
    reopened."""
    c.erasmo.trading.close(name)
    click.echo(f"Closed {name!r}.")


# -- cash and trades ------------------------------------------------------------------------


@cli.command(context_settings=NUMBERS_MAY_BE_NEGATIVE)
@click.argument("name")
@click.argument("amount")
@click.option("--on", "on", metavar="DATE", help="Market date (default: the latest in the data).")
@pass_ctx
def deposit(c: Context, name: str, amount: str, on: str | None) -> None:
    """Deposit AMOUNT of cash into portfolio NAME."""
    p = c.erasmo.trading.deposit(name, amount, on)
    click.echo(
        f"Deposited {money(parse_money(amount))} into {p.name!r} on {p.clock}; "
        f"cash {money(p.cash)}."
    )


@cli.command(context_settings=NUMBERS_MAY_BE_NEGATIVE)
@click.argument("name")
@click.argument("amount")
@click.option("--on", "on", metavar="DATE", help="Market date (default: the latest in the data).")
@pass_ctx
def withdraw(c: Context, name: str, amount: str, on: str | None) -> None:
    """Withdraw AMOUNT of cash from portfolio NAME."""
    p = c.erasmo.trading.withdraw(name, amount, on)
    click.echo(
        f"Withdrew {money(parse_money(amount))} from {p.name!r} on {p.clock}; cash {money(p.cash)}."
    )


def _trade_options(f: F) -> F:
    f = click.option("--fee", metavar="FEE", help="Commission in cash (default 0).")(f)
    f = click.option(
        "--price", metavar="PRICE", help="Fill price; must lie in the day's low-high range."
    )(f)
    return click.option(
        "--on", "on", metavar="DATE", help="Market date (default: the ticker's latest)."
    )(f)


@cli.command(context_settings=NUMBERS_MAY_BE_NEGATIVE)
@click.argument("name")
@click.argument("ticker")
@click.argument("quantity")
@_trade_options
@pass_ctx
def buy(
    c: Context,
    name: str,
    ticker: str,
    quantity: str,
    on: str | None,
    price: str | None,
    fee: str | None,
) -> None:
    """Buy QUANTITY shares of TICKER for portfolio NAME at the day's close."""
    _echo_receipt(c.erasmo.trading.buy(name, ticker, quantity, on, price, fee))


@cli.command(context_settings=NUMBERS_MAY_BE_NEGATIVE)
@click.argument("name")
@click.argument("ticker")
@click.argument("quantity")
@_trade_options
@pass_ctx
def sell(
    c: Context,
    name: str,
    ticker: str,
    quantity: str,
    on: str | None,
    price: str | None,
    fee: str | None,
) -> None:
    """Sell QUANTITY shares of TICKER from portfolio NAME at the day's close."""
    _echo_receipt(c.erasmo.trading.sell(name, ticker, quantity, on, price, fee))


def _echo_receipt(r: Any) -> None:
    verb = "Bought" if r.side == "buy" else "Sold"
    fee = f" + fee {money(r.fee)}" if r.fee else ""
    click.echo(
        f"{verb} {number(r.quantity)} {r.ticker} at {r.price} on {r.day} "
        f"({r.provenance.source}{', adjusted' if r.provenance.adjusted else ''}) = "
        f"{money(r.value)}{fee}. {r.portfolio!r} now holds {number(r.position_after)} "
        f"{r.ticker} and {money(r.cash_after)} in cash."
    )


# -- reading --------------------------------------------------------------------------------


@cli.command()
@click.argument("name")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_ctx
def history(c: Context, name: str, as_json: bool) -> None:
    """Show every event of portfolio NAME, in order."""
    events = c.erasmo.trading.history(name)
    for e in events:  # a fork's recorded position is the origin store's: give this store's
        if e.type == "BranchForked":
            at = c.erasmo.app.fork_position(e.fields["parent_id"], e.fields["parent_version"])
            e.fields["parent_seq"] = at
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
    from erasmo.cli.orders_commands import describe_order_event

    rows = [
        [str(e.seq), e.on.isoformat(), e.type, describe_order_event(e.type, e.fields) or ""]
        if e.type.startswith(("Order", "TradingRules", "Clock"))
        else [str(e.seq), e.on.isoformat(), e.type, _describe(e.fields)]
        for e in events
    ]
    click.echo(table(["seq", "on", "event", "details"], rows, right=[0]))


def _describe(fields: dict[str, Any]) -> str:
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


# -- event-log files ------------------------------------------------------------------------


@cli.command("export")
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
    from events.eventlog import export_log, export_to_file

    ids = [c.erasmo.trading.resolve(n) for n in names]
    if output is None:
        export_log(c.erasmo.app, sys.stdout, erasmo_version=__version__, portfolio_ids=ids)
        return
    count = export_to_file(c.erasmo.app, output, erasmo_version=__version__, portfolio_ids=ids)
    click.echo(f"Exported {plural(count, 'event')} to {output}.")


@cli.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check the file against the store; record nothing.")
@pass_ctx
def import_cmd(c: Context, file: Path, dry_run: bool) -> None:
    """Import an exported event log, all or nothing; events already held are skipped."""
    from erasmo.intake import admission
    from events.eventlog import import_file

    admit = admission(c.erasmo.app, c.erasmo.market, outcome="nothing was imported")
    log, new = import_file(c.erasmo.app, file, dry_run=dry_run, admit=admit)
    held = len(log.events) - new
    verb = "Would import" if dry_run else "Imported"
    click.echo(
        f"{verb} {plural(new, 'new event')} of {plural(len(log.portfolios), 'portfolio')} "
        f"from {file} ({held:,} already held)."
    )


@cli.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def verify(file: Path) -> None:
    """Check an event-log file's hash chain and count without importing it."""
    from events.eventlog import verify_file

    log = verify_file(file)
    click.echo(
        f"OK: {plural(len(log.events), 'event')} of {plural(len(log.portfolios), 'portfolio')}, "
        f"written by erasmo {log.header['erasmo_version']}; chain ends {log.last_hash[:16]}."
    )


@cli.command()
@pass_ctx
def check(c: Context) -> None:
    """Replay every portfolio and report every broken invariant (exit 1 if any), then list the
    events this install lacks the market data to check (unverified)."""
    from erasmo.checks import check_store

    unverified: list[Any] = []
    count, findings = check_store(c.erasmo.app, c.erasmo.market, unverified)
    for f in findings:
        click.echo(f"{f.portfolio}: event {f.version} ({f.event_type}): {f.message}", err=True)
    if findings:
        click.echo(f"{plural(len(findings), 'problem')} in {plural(count, 'portfolio')}.", err=True)
    else:
        events = plural(c.erasmo.app.event_count(), "event")
        click.echo(f"OK: {plural(count, 'portfolio')}, {events}, no problems.")
    for f in unverified:
        click.echo(f"{f.portfolio}: event {f.version} ({f.event_type}) is unverified: {f.message}")
    if findings:
        sys.exit(1)


# -- market data ----------------------------------------------------------------------------


@cli.group()
def prices() -> None:
    """Look at the market data erasmo trades on."""


@prices.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_ctx
def prices_list(c: Context, as_json: bool) -> None:
    """List the tickers with their date ranges and sources (bundled, or cached from Yahoo)."""
    infos = c.erasmo.market.tickers()
    service = c.erasmo.prices
    cached = {t.ticker: t for t in service.listing()}
    if as_json:
        echo_json(
            [
                {
                    "ticker": i.ticker,
                    "first": i.first,
                    "last": i.last,
                    "source": i.source,
                    "adjusted": i.adjusted,
                    "tradable": i.tradable,
                    "fields": list(i.fields),
                    "missing_fields": list(i.missing_fields),
                    "cached": i.ticker in cached,
                    "fetched_to": cached[i.ticker].covered_to if i.ticker in cached else None,
                    "fetched_at": cached[i.ticker].fetched_at if i.ticker in cached else None,
                    "stale": service.is_stale(i.ticker) if i.ticker in cached else False,
                }
                for i in infos
            ]
        )
        return

    def note(info: Any) -> str:
        notes = [] if info.tradable else [info.description or "index (not tradable)"]
        if info.ticker in cached:
            entry = cached[info.ticker]
            notes.append(f"cached, fetched {entry.fetched_at.astimezone():%Y-%m-%d %H:%M}")
            if service.is_stale(info.ticker):
                notes.append("stale")
        return "; ".join(notes)

    rows = [
        [
            i.ticker,
            i.first.isoformat(),
            i.last.isoformat(),
            i.source,
            "adjusted" if i.adjusted else "raw",
            ",".join(i.fields),
            note(i) if i.ticker in cached or not i.tradable else "",
        ]
        for i in infos
    ]
    click.echo(table(["ticker", "first", "last", "source", "close", "fields", "note"], rows))
    click.echo(price_status_line(c))


def price_status_line(c: Context) -> str:
    """One line: online or offline (and why), the cache, the last refresh."""
    service = c.erasmo.prices
    status = service.status()
    state = "online (Yahoo)." if status.online else f"offline: {status.reason}"
    last = f"{status.last_refresh:%Y-%m-%d %H:%M}" if status.last_refresh else "never"
    size = service.cache.size()
    return (
        f"Live prices: {state} Cache: {status.cached_tickers} tickers, {size / 1024:,.0f} KB "
        f"({service.cache.path}); last refresh {last}."
    )


@prices.command("show")
@click.argument("ticker")
@click.option("--from", "start", metavar="DATE", help="First date.")
@click.option("--to", "end", metavar="DATE", help="Last date.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_ctx
def prices_show(c: Context, ticker: str, start: str | None, end: str | None, as_json: bool) -> None:
    """Show the daily bars of TICKER."""
    from events.values import parse_date, parse_ticker

    market = c.erasmo.market
    info = market.info(parse_ticker(ticker))
    first = parse_date(start) if start else None
    last = parse_date(end) if end else None
    from erasmo.cli.ranges import check_period

    check_period(info.ticker, first, last, (info.first, info.last), "prices")
    if first is None and last is None:
        bars = market.bars(info.ticker)[-20:]
    else:
        bars = market.bars(info.ticker, first, last)
    if as_json:
        echo_json(
            [
                {
                    "ticker": b.ticker,
                    "date": b.day,
                    "open": b.open,
                    "high": b.high,
                    "low": b.low,
                    "close": b.close,
                    "adj_close": b.adj_close,
                    "volume": b.volume,
                }
                for b in bars
            ]
        )
        return

    def cell(v: Any) -> str:
        return "" if v is None else str(v)

    rows = [
        [
            b.day.isoformat(),
            cell(b.open),
            cell(b.high),
            cell(b.low),
            str(b.close),
            cell(b.adj_close),
            cell(b.volume),
        ]
        for b in bars
    ]
    click.echo(f"{info.ticker} ({info.source}, close {'adjusted' if info.adjusted else 'raw'})")
    click.echo(
        table(
            ["date", "open", "high", "low", "close", "adj close", "volume"],
            rows,
            right=[1, 2, 3, 4, 5, 6],
        )
    )


# Read-side commands (holdings, performance, value, replay) live in their own module.
from erasmo.cli import (  # noqa: E402, F401
    action_commands,
    branch_commands,
    orders_commands,
    portfolio_commands,
    price_commands,
    reports,
    store_commands,
    sync_commands,
)


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
