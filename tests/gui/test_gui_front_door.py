"""The window goes through erasmo's front door: no write-side application, no store, no log."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import gui

GUI = Path(gui.__file__).parent
#: The write side's application, reached as an attribute (`erasmo.app`, `self.app.portfolio`).
APP_USE = re.compile(r"(?<!\bgui)\.app\b")
FORBIDDEN = ("events.application", "events.portfolio", "events.store", "events.eventlog")


def sources() -> list[Path]:
    found = sorted(GUI.rglob("*.py"))
    assert len(found) > 40  # the whole package, not an empty folder
    return found


def test_the_gui_never_touches_the_write_side_application() -> None:
    uses = [
        f"{path.relative_to(GUI.parent)}:{number}: {line.strip()}"
        for path in sources()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if APP_USE.search(line)
    ]
    assert uses == []


def test_the_gui_imports_nothing_of_the_write_side_but_values_and_errors() -> None:
    imports = []
    for path in sources():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            imports += [
                f"{path.relative_to(GUI.parent)}: {name}"
                for name in names
                if any(name == f or name.startswith(f"{f}.") for f in FORBIDDEN)
            ]
    assert imports == []


#: What `erasmo.bootstrap` builds, once: the window never builds its own.
BUILT_BY_THE_ROOT = re.compile(
    r"\b(Analytics|BranchService|TradingService|SimulationService|Portfolios|FrontDoor)\("
)


def test_the_gui_builds_none_of_what_the_composition_root_builds() -> None:
    built = [
        f"{path.relative_to(GUI.parent)}:{number}: {line.strip()}"
        for path in sources()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if BUILT_BY_THE_ROOT.search(line)
    ]
    assert built == []


def test_the_pattern_finds_what_it_looks_for() -> None:
    assert BUILT_BY_THE_ROOT.search("    analytics = Analytics(app, market, data_dir)")
    assert not BUILT_BY_THE_ROOT.search("analytics: Analytics | None = None")
    assert APP_USE.search("head = erasmo.app.portfolio(pid)")
    assert APP_USE.search("    app = self.app")
    assert not APP_USE.search("from gui.app import run")
