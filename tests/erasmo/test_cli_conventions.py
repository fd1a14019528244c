"""What every command has in common: dates in --help say their format, refusals start with
"erasmo: ", counts agree with their nouns, and help texts say what the code does."""

from __future__ import annotations

import importlib
import pkgutil
from decimal import Decimal
from pathlib import Path

import click
import pytest
from cli_runner import Run

import erasmo.cli
from erasmo.cli.main import COMMANDS, cli
from erasmo.cli.output import plural
from events.errors import InvalidAmountError
from events.values import parse_fee, parse_money

#: Options that take a date, by name, whatever their metavar says.
DATE_OPTIONS = {"--on", "--from", "--to", "--until", "--as-of", "--expires"}


def every_command(group: click.Group, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command path under `group`, as --help lists them (loading each command)."""
    found = []
    for name in group.list_commands(click.Context(group)):
        found.append((*path, name))
        command = group.get_command(click.Context(group), name)
        if isinstance(command, click.Group):
            found.extend(every_command(command, (*path, name)))
    return found


def command_at(path: tuple[str, ...]) -> click.Command:
    command: click.Command | None = cli
    for name in path:
        assert isinstance(command, click.Group)
        command = command.get_command(click.Context(command), name)
    assert command is not None, path
    return command


def test_every_date_option_states_its_format_in_help(run: Run) -> None:
    checked = 0
    for path in every_command(cli):
        command = command_at(path)
        code, out, _ = run(*path, "--help")
        assert code == 0
        for param in command.params:
            if not isinstance(param, click.Option):
                continue
            takes_date = bool(DATE_OPTIONS & set(param.opts)) or "DATE" in (param.metavar or "")
            if takes_date and not param.is_flag:
                checked += 1
                record = param.get_help_record(click.Context(command))
                assert record is not None
                assert "YYYY-MM-DD" in record[1], f"erasmo {' '.join(path)} {param.opts[0]}"
                assert "YYYY-MM-DD" in out  # and --help shows it, unbroken by wrapping
    assert checked >= 20  # on, from/to, until, as-of, expires across the commands


def test_buy_help_shows_the_date_format_word_for_word(run: Run) -> None:
    _, out, _ = run("buy", "--help")
    assert "  --on DATE      (YYYY-MM-DD) Market date (default: the ticker's latest).\n" in out


def test_backup_help_names_the_online_backup_api(run: Run) -> None:
    code, out, _ = run("backup", "--help")
    assert code == 0
    assert "VACUUM" not in out
    assert "SQLite's online backup API" in out


def test_a_negative_fee_is_refused_saying_zero_is_allowed(run: Run, tmp_path: Path) -> None:
    run("portfolio", "open", "F", "--cash", "1000", "--on", "2015-03-02")
    store = tmp_path / "data" / "events.sqlite"
    before = store.read_bytes()
    code, out, err = run("buy", "F", "AAPL", "1", "--on", "2015-03-02", "--fee", "-1")
    assert (code, out, err) == (1, "", "erasmo: Fee -1 must be zero or greater.\n")
    assert store.read_bytes() == before
    code, out, _ = run("buy", "F", "AAPL", "1", "--on", "2015-03-02", "--fee", "0")
    assert code == 0
    # 1 AAPL at the bundled adjusted close of 2015-03-02, 29.08, and no fee: 1000 - 29.08
    assert out.endswith("'F' now holds 1 AAPL and 970.92 in cash.\n")


def test_fee_and_amount_messages_state_their_own_bounds() -> None:
    with pytest.raises(InvalidAmountError, match=r"^Fee -1 must be zero or greater\.$"):
        parse_fee("-1")
    with pytest.raises(InvalidAmountError, match=r"^Fee -0.5 must be zero or greater\.$"):
        parse_fee(Decimal("-0.5"))
    assert parse_fee("0") == 0
    with pytest.raises(InvalidAmountError, match=r"^Amount -1 must be greater than zero\.$"):
        parse_money("-1")
    with pytest.raises(InvalidAmountError, match=r"^Amount 0 must be greater than zero\.$"):
        parse_money("0")


def test_counts_agree_with_their_nouns() -> None:
    assert plural(0, "portfolio") == "0 portfolios"
    assert plural(1, "portfolio") == "1 portfolio"
    assert plural(2, "new event") == "2 new events"
    assert plural(1234, "event") == "1,234 events"


def test_one_portfolio_is_one_portfolio_in_every_report(run: Run, tmp_path: Path) -> None:
    run("portfolio", "open", "P", "--cash", "100", "--on", "2015-03-02")
    log = tmp_path / "p.jsonl"
    assert run("export", "P", "-o", str(log)) == (0, f"Exported 2 events to {log}.\n", "")
    _, out, _ = run("verify", str(log))
    assert out.startswith("OK: 2 events of 1 portfolio, written by erasmo 0.1.0; chain ends ")
    # 2 events of P (opened, cash deposited) and 2 of the catalog that guards unique names
    assert run("check") == (0, "OK: 1 portfolio, 4 events, no problems.\n", "")
    _, out, _ = run("--data-dir", str(tmp_path / "other"), "import", str(log))
    assert out == f"Imported 2 new events of 1 portfolio from {log} (0 already held).\n"
    _, out, _ = run("replay", "P", "--until", "1")
    assert out.splitlines()[-1] == "After 1 event (2015-03-02): cash 0.00, total value 0.00."


def test_erasmos_refusals_all_start_the_same_way(run: Run) -> None:
    """A refused command says "erasmo: ..." in one line; usage errors point to --help."""
    run("portfolio", "open", "Q", "--cash", "100", "--on", "2015-03-02")
    refusals = [
        ("buy", "Q", "AAPL", "1000", "--on", "2015-03-02"),
        ("sell", "Q", "AAPL", "1", "--on", "2015-03-02"),
        ("deposit", "Nobody", "5"),
        ("verify", "missing.jsonl"),
    ]
    for args in refusals:
        code, out, err = run(*args)
        assert code == 1, args
        assert out == ""
        assert err.startswith("erasmo: "), (args, err)
        assert err.count("\n") == 1, (args, err)
        assert "Error" not in err
    code, _, err = run("buy", "Q")
    assert code == 2
    assert err == "erasmo: Missing argument 'TICKER'; see 'erasmo buy --help'.\n"


def test_every_declared_command_is_in_the_tree() -> None:
    """Commands are loaded by name (`erasmo.cli.main.COMMANDS`): one declared in a command module
    but missing from that table would never be reachable."""
    reachable = {id(command_at(path)) for path in every_command(cli)}
    declared = []
    for info in pkgutil.iter_modules(erasmo.cli.__path__):
        module = importlib.import_module(f"erasmo.cli.{info.name}")
        for attribute, value in vars(module).items():
            if isinstance(value, click.Command) and value is not cli:
                declared.append((info.name, attribute, id(value)))
    assert len(declared) >= 50
    assert [(m, a) for m, a, key in declared if key not in reachable] == []
    for name, (module, attribute) in COMMANDS.items():
        assert command_at((name,)).name == name, (module, attribute)
