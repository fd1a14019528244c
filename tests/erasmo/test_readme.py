"""The README's examples are real: every `console` block is run in order, as the reader would
type it, and must print what the README shows.

A block runs in the tour's data directory, which starts empty and is shared by all blocks in
README order. An HTML comment right above a block's fence changes that:

- `<!-- readme-test: fresh data directory -->`: the block runs in a data directory of its own
  (the README says so in its text);
- `<!-- readme-test: not part of the tour; REASON -->`: the block is not run, and REASON says
  which state it needs that the tour does not produce (the README states it too).

A command exits 0 unless the README shows it refused (its output starts with "erasmo: "): then
it exits 1. What legitimately varies between runs is normalised: the ids of orders (the README's
ids stand for the ones this run prints, in the same order) and the end of an event log's hash
chain (event ids and timestamps are in the hashed lines).
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from itertools import zip_longest
from pathlib import Path

import pytest
from cli_runner import cli_runner

README = Path(__file__).resolve().parents[2] / "README.md"
FENCE = re.compile(r"^```console\n(.*?)^```$", re.MULTILINE | re.DOTALL)
MARKER = re.compile(r"<!--\s*readme-test:\s*((?:(?!-->).)*?)\s*-->\s*\Z", re.DOTALL)
FRESH = "fresh data directory"
SKIP = "not part of the tour;"
ORDER_ID = re.compile(r"Placed order ([0-9a-f]{8})\b")
CHAIN_END = re.compile(r"chain ends [0-9a-f]{16}")


@dataclass
class Step:
    """One `$ erasmo ...` line of a block and the lines the README shows after it."""

    args: list[str]
    expected: list[str]


@dataclass
class Block:
    line: int
    steps: list[Step]
    marker: str | None = None
    problems: list[str] = field(default_factory=list)


def parse_readme(text: str) -> list[Block]:
    """Every console block of the README, with the marker comment right above it, if any."""
    blocks = []
    end = 0
    for match in FENCE.finditer(text):
        between = text[end : match.start()]
        marker = MARKER.search(between)
        block = Block(text.count("\n", 0, match.start()) + 1, [])
        block.marker = marker.group(1) if marker else None
        for raw in match.group(1).splitlines():
            if raw.startswith("$ "):
                args = shlex.split(raw[2:], comments=True)
                if not args or args[0] != "erasmo":
                    block.problems.append(f"not an erasmo command: {raw!r}")
                block.steps.append(Step(args[1:], []))
            elif block.steps:
                block.steps[-1].expected.append(raw.rstrip())
            else:
                block.problems.append(f"output before any command: {raw!r}")
        blocks.append(block)
        end = match.end()
    return blocks


def test_the_parser_reads_commands_outputs_and_markers() -> None:
    text = (
        "Intro.\n\n```console\n$ erasmo check   # a comment\nOK: 0 portfolios.\n"
        "$ erasmo buy Tech ^GSPC 1\nerasmo: no.\n```\n\nMore.\n"
        "<!-- readme-test: not part of the tour; it needs a server -->\n"
        "```console\n$ erasmo serve\n```\n<!-- readme-test: fresh data directory -->\n\n"
        "```console\n$ ls\n```\n"
    )
    first, second, third = parse_readme(text)
    assert first.marker is None
    assert [(s.args, s.expected) for s in first.steps] == [
        (["check"], ["OK: 0 portfolios."]),
        (["buy", "Tech", "^GSPC", "1"], ["erasmo: no."]),
    ]
    assert second.marker == "not part of the tour; it needs a server"
    assert third.marker == FRESH
    assert third.problems == ["not an erasmo command: '$ ls'"]


class Session:
    """Runs steps over one data directory, mapping the README's order ids to this run's."""

    def __init__(self, run: object) -> None:
        self.run = run
        self.ids: dict[str, str] = {}  # README id -> id printed by this run

    def step(self, step: Step) -> tuple[int, list[str], list[str]]:
        args = [self.ids.get(a, a) for a in step.args]
        code, out, err = self.run(*args)  # type: ignore[operator]
        printed = out.splitlines() + err.splitlines()
        for shown, got in zip(
            ORDER_ID.findall("\n".join(step.expected)),
            ORDER_ID.findall("\n".join(printed)),
            strict=False,
        ):
            self.ids[shown] = got
        return code, normalise(printed, self.ids), normalise(step.expected, {})

    @staticmethod
    def expected_code(step: Step) -> int:
        return 1 if step.expected and step.expected[0].startswith("erasmo: ") else 0


def normalise(lines: list[str], ids: dict[str, str]) -> list[str]:
    text = "\n".join(line.rstrip() for line in lines)
    for shown, got in ids.items():
        text = text.replace(got, shown)
    return CHAIN_END.sub("chain ends <hash>", text).splitlines()


def test_every_readme_example_prints_what_the_readme_shows(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    blocks = parse_readme(README.read_text(encoding="utf-8"))
    assert len(blocks) >= 10, "the README's examples were not found"
    problems = [f"README.md:{b.line}: {p}" for b in blocks for p in b.problems]
    monkeypatch.chdir(tmp_path)  # files the examples write (tech.jsonl) land here
    tour = Session(cli_runner(tmp_path / "tour", capsys, monkeypatch))
    ran = 0
    for number, block in enumerate(blocks):
        if block.marker is not None and block.marker.startswith(SKIP):
            if not block.marker[len(SKIP) :].strip():
                problems.append(f"README.md:{block.line}: a skipped block must say why")
            continue
        if block.marker == FRESH:
            session = Session(cli_runner(tmp_path / f"fresh-{number}", capsys, monkeypatch))
        elif block.marker is None:
            session = tour
        else:
            problems.append(f"README.md:{block.line}: unknown marker {block.marker!r}")
            continue
        for step in block.steps:
            code, printed, expected = session.step(step)
            ran += 1
            command = shlex.join(["erasmo", *step.args])
            if code != Session.expected_code(step):
                problems.append(f"README.md:{block.line}: `{command}` exited {code}")
            if printed != expected:
                diff = "\n".join(
                    f"    README: {e!r}\n    actual: {a!r}"
                    for e, a in zip_longest(expected, printed, fillvalue="")
                    if e != a
                )
                problems.append(f"README.md:{block.line}: `{command}` printed otherwise:\n{diff}")
    assert ran >= 35, f"only {ran} README commands ran"
    assert not problems, "\n".join(problems)
