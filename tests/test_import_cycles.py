"""No import cycles: the modules of `events`, `erasmo` and `gui` import each other in one direction.

The graph is the one `lint-imports` checks (grimp, which import-linter ships with): every
`import`, at module level or inside a function, and those under `if TYPE_CHECKING:` too, since a
type-only import couples two modules as much as any other. A cycle is a strongly connected
component of more than one module; the failure names one loop through it, import by import.
"""

from __future__ import annotations

import textwrap
from collections import deque
from collections.abc import Iterable
from itertools import pairwise
from pathlib import Path

import grimp
import pytest

REPO = Path(__file__).resolve().parent.parent

#: The packages whose modules, taken together, import each other in one direction only: counting
#: every import, type-only ones included, with no exception.
ACYCLIC = ("events", "erasmo", "gui")


def import_cycles(
    packages: Iterable[str], *, type_imports: bool = True, where: Path = REPO
) -> list[str]:
    """Each import cycle among the modules of `packages`, as one loop through it with the line of
    every import, e.g. "a -> b (a.py:3: import b) -> a (b.py:5: import a)"."""
    names = tuple(packages)
    graph = grimp.build_graph(
        *names, exclude_type_checking_imports=not type_imports, cache_dir=None
    )
    return [_describe_loop(graph, component, where) for component in _components(graph)]


def _components(graph: grimp.ImportGraph) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, without recursion)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(graph.modules):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root))))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            module, successors = work[-1]
            for successor in successors:
                if successor not in index:
                    index[successor] = low[successor] = len(index)
                    stack.append(successor)
                    on_stack.add(successor)
                    imported = graph.find_modules_directly_imported_by(successor)
                    work.append((successor, iter(sorted(imported))))
                    break
                if successor in on_stack:
                    low[module] = min(low[module], index[successor])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[module])
                if low[module] == index[module]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == module:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
    return sorted(found)


def _describe_loop(graph: grimp.ImportGraph, component: list[str], where: Path) -> str:
    """The shortest loop from the component's first module back to itself, import by import."""
    start, members = component[0], set(component)
    came_from: dict[str, str] = {}
    queue = deque([start])
    while queue:  # breadth first, inside the component, until an import leads back to start
        module = queue.popleft()
        imported = sorted(graph.find_modules_directly_imported_by(module) & members)
        if start in imported:
            loop = [start]
            while module != start:
                loop.append(module)
                module = came_from[module]
            loop = [start, *reversed(loop[1:]), start]
            break
        for successor in imported:
            if successor not in came_from and successor != start:
                came_from[successor] = module
                queue.append(successor)
    steps = [loop[0]]
    for importer, imported_module in pairwise(loop):
        detail = graph.get_import_details(importer=importer, imported=imported_module)[0]
        path = _source_path(importer, where)
        steps.append(
            f"{imported_module} ({path}:{detail['line_number']}: {detail['line_contents']})"
        )
    others = members - set(loop)
    rest = f" [also in this cycle: {', '.join(sorted(others))}]" if others else ""
    return " -> ".join(steps) + rest


def _source_path(module: str, where: Path) -> str:
    base = Path(*module.split("."))
    package = base / "__init__.py"
    return str(package if (where / package).exists() else base.with_suffix(".py"))


def test_no_import_cycle_counting_type_only_imports() -> None:
    cycles = import_cycles(ACYCLIC)
    assert cycles == [], "import cycles:\n" + "\n".join(cycles)


def test_no_import_cycle_at_run_time() -> None:
    # Implied by the test above; kept so that a failure says whether the loop is type-only.
    cycles = import_cycles(ACYCLIC, type_imports=False)
    assert cycles == [], "import cycles:\n" + "\n".join(cycles)


def test_the_cli_commands_import_nothing_of_the_module_that_assembles_them() -> None:
    graph = grimp.build_graph("erasmo", cache_dir=None)
    importers = graph.find_modules_that_directly_import("erasmo.cli.main")
    assert sorted(m for m in importers if m.startswith("erasmo.")) == ["erasmo.__main__"]


def _write_package(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(textwrap.dedent(text))


def test_a_cycle_through_a_function_level_import_is_found_and_shown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write_package(
        tmp_path,
        {
            "loopy/__init__.py": "",
            "loopy/main.py": "from loopy import commands\n",
            "loopy/commands.py": "import os\n\n\ndef run():\n    from loopy.main import cli\n",
            "loopy/fine.py": "import loopy.commands\n",
        },
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    assert import_cycles(["loopy"], where=tmp_path) == [
        "loopy.commands -> loopy.main (loopy/commands.py:5: from loopy.main import cli) "
        "-> loopy.commands (loopy/main.py:1: from loopy import commands)"
    ]


def test_a_type_only_cycle_counts_unless_asked_for_run_time_imports(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write_package(
        tmp_path,
        {
            "typed/__init__.py": "",
            "typed/a.py": "import typed.b\n",
            "typed/b.py": "from typing import TYPE_CHECKING\n"
            "if TYPE_CHECKING:\n    from typed.a import A\n",
            "typed/c.py": "import typed.d\n",
            "typed/d.py": "import typed.e\n",
            "typed/e.py": "import typed.c\n",
        },
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    type_cycle = (
        "typed.a -> typed.b (typed/a.py:1: import typed.b) -> typed.a (typed/b.py:3: from "
        "typed.a import A)"
    )
    three = (
        "typed.c -> typed.d (typed/c.py:1: import typed.d) -> typed.e (typed/d.py:1: import "
        "typed.e) -> typed.c (typed/e.py:1: import typed.c)"
    )
    assert import_cycles(["typed"], where=tmp_path) == [type_cycle, three]
    assert import_cycles(["typed"], type_imports=False, where=tmp_path) == [three]
