"""The window speaks of its own controls, never of CLI flags."""

from __future__ import annotations

import ast
from pathlib import Path
from uuid import UUID

from PySide6.QtTest import QTest

from erasmo.bootstrap import Erasmo
from gui.wording import FLAGS, gui_text

ROOT = Path(__file__).resolve().parents[2]


def _domain_strings() -> list[str]:
    """Every string (and f-string piece) with a flag in it, outside the CLI."""
    found = []
    for package in ("erasmo", "events"):
        for path in (ROOT / package).rglob("*.py"):
            if "cli" in path.relative_to(ROOT).parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                text = node.value if isinstance(node, ast.Constant) else None
                if isinstance(text, str) and (" --" in text or text.startswith("--")):
                    found.append(text)
    return found


def test_every_flag_the_domain_names_has_gui_words() -> None:
    strings = _domain_strings()
    assert len(strings) > 10  # the domain does word its errors for the command line
    for text in strings:
        assert "--" not in gui_text(text), (text, gui_text(text))


def test_the_known_phrases_read_as_the_window_s_controls() -> None:
    assert gui_text("Closing price 3; 4 differs. Leave --price out, or give 3.") == (
        "Closing price 3; 4 differs. Clear the Price field, or give 3."
    )
    refused = gui_text(
        "http://h refused the token. Get the server's token with 'erasmo serve --show-token' on "
        "that install and pass it with --token."
    )
    assert refused.endswith("paste it into the Token field.")
    assert gui_text("A limit order needs limit price (--limit).") == (
        "A limit order needs limit price (the Limit price field)."
    )
    assert gui_text("no flag here, 2019-03-15 -- a dash") == "no flag here, 2019-03-15 -- a dash"
    assert set(FLAGS) >= {"--price", "--token", "--limit", "--stop", "--trail", "--on"}


def test_the_trade_ticket_tells_to_clear_the_price_field(
    make_window: object, erasmo: Erasmo, demo: UUID, qtbot: object
) -> None:
    c = make_window(erasmo)  # type: ignore[operator]
    with qtbot.waitSignal(c.history_loaded, timeout=10_000):  # type: ignore[attr-defined]
        c.reload_portfolios(select=demo)
    ticket = c.open_trade_ticket("buy", "AAPL")
    v = ticket.view
    QTest.keyClicks(v.quantity, "1")
    QTest.keyClicks(v.price, "1.00")  # far outside the day's range
    shown = v.message.text()
    assert v.message.is_error
    assert "clear the price field" in shown.lower()
    assert "--" not in shown
    ticket.view.reject()
