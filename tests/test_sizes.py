"""Small rooms: no module of `events`, `erasmo` or `gui` over 520 lines, no function over 60.

A function's length runs from its `def` (decorators excluded) to its last line, docstring and
comments included, as an editor shows it. The `__init__` of a view or a dialog (classes in
`gui/views/` and `gui/dialogs/`) is exempt: it lays out widgets, one line each.
"""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PACKAGES = ("events", "erasmo", "gui")
MAX_FILE_LINES = 520
MAX_FUNCTION_LINES = 60
#: Folders whose classes' `__init__` may be longer: widget layout.
LAYOUT_FOLDERS = ("gui/views", "gui/dialogs")


def long_files(root: Path = REPO, limit: int = MAX_FILE_LINES) -> list[str]:
    """Each module over `limit` lines, as "path: N lines"."""
    found = []
    for path in _modules(root):
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > limit:
            found.append(f"{path.relative_to(root).as_posix()}: {lines} lines")
    return found


def long_functions(root: Path = REPO, limit: int = MAX_FUNCTION_LINES) -> list[str]:
    """Each function or method over `limit` lines, as "path:line qualified.name: N lines"."""
    found = []
    for path in _modules(root):
        relative = path.relative_to(root).as_posix()
        layout = relative.startswith(tuple(f"{folder}/" for folder in LAYOUT_FOLDERS))
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for name, node, in_class in _functions(tree):
            if layout and in_class and node.name == "__init__":
                continue
            assert node.end_lineno is not None
            lines = node.end_lineno - node.lineno + 1
            if lines > limit:
                found.append(f"{relative}:{node.lineno} {name}: {lines} lines")
    return found


def _modules(root: Path) -> list[Path]:
    return sorted(path for package in PACKAGES for path in (root / package).rglob("*.py"))


Function = ast.FunctionDef | ast.AsyncFunctionDef


def _functions(
    node: ast.AST, prefix: str = "", in_class: bool = False
) -> list[tuple[str, Function, bool]]:
    """Every function in `node`, nested ones included, with its qualified name and whether it is
    defined directly in a class."""
    found: list[tuple[str, Function, bool]] = []
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.ClassDef):
            found += _functions(child, f"{prefix}{child.name}.", in_class=True)
        elif isinstance(child, Function):
            found.append((f"{prefix}{child.name}", child, in_class))
            found += _functions(child, f"{prefix}{child.name}.", in_class=False)
        else:
            found += _functions(child, prefix, in_class)
    return found


def test_no_module_is_over_the_limit() -> None:
    found = long_files()
    assert found == [], f"modules over {MAX_FILE_LINES} lines:\n" + "\n".join(found)


def test_no_function_is_over_the_limit() -> None:
    found = long_functions()
    assert found == [], f"functions over {MAX_FUNCTION_LINES} lines:\n" + "\n".join(found)


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(textwrap.dedent(text))


def test_the_checks_find_long_modules_and_functions_and_spare_layout(tmp_path: Path) -> None:
    body = "".join(f"    x{n} = {n}\n" for n in range(4))
    method = textwrap.indent(body, "    ")
    _write(
        tmp_path,
        {
            "events/short.py": "def f():\n    return 1\n",
            "events/long.py": "x = 1\n" * 20,
            "erasmo/calc.py": f"class A:\n    def m(self):\n{method}"
            f"\n\ndef outer():\n    def inner():\n{method}    return inner\n",
            "gui/views/tab.py": f"class Tab:\n    def __init__(self):\n{method}",
            "gui/models.py": f"class Model:\n    def __init__(self):\n{method}",
        },
    )
    assert long_files(tmp_path, limit=16) == ["events/long.py: 20 lines"]
    assert long_functions(tmp_path, limit=4) == [
        "erasmo/calc.py:2 A.m: 5 lines",
        "erasmo/calc.py:9 outer: 7 lines",
        "erasmo/calc.py:10 outer.inner: 5 lines",
        "gui/models.py:2 Model.__init__: 5 lines",
    ]
