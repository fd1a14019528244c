"""The report in a real browser: headless Chromium (Debian's `chromium`, which .ci/run installs)
draws the page `erasmo report` wrote, and the figures it shows are those of `erasmo stats
--json` for the same portfolio."""

from __future__ import annotations

import json
import math
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

from cli_runner import Run
from PySide6.QtGui import QImage
from test_journal_cli import LOG

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def chromium(tmp_path: Path, *args: str) -> str:
    assert Path(CHROMIUM).exists(), "Install Debian's chromium package (.ci/run does)."
    done = subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--window-size=1200,1800",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=True,
    )
    return done.stdout


class Cards(HTMLParser):
    """The summary cards of a page: data-key -> the text shown."""

    def __init__(self) -> None:
        super().__init__()
        self.cards: dict[str, str] = {}
        self._key: str | None = None
        self._value = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("class") == "card":
            self._key = found.get("data-key")
        self._value = found.get("class") == "v"

    def handle_data(self, data: str) -> None:
        if self._value and self._key is not None:
            self.cards[self._key] = data
            self._value = False


def shown(value: object, kind: str) -> str:
    """How the page writes a `stats --json` figure (money 1,234.56; 12.34 %; ratio 0.12)."""
    if value is None:
        return "–"
    number = float(str(value))
    if kind == "percent":
        return f"{number * 100:,.2f} %"
    if kind == "count":
        return f"{number:,.0f}"
    return f"{number:,.2f}"


KINDS = {
    "trades": "count",
    "win_rate": "percent",
    "total_pnl": "money",
    "profit_factor": "ratio",
    "expectancy": "money",
    "expectancy_pct": "percent",
    "average_win": "money",
    "average_loss": "money",
    "payoff_ratio": "ratio",
    "best_trade": "money",
    "worst_trade": "money",
    "sqn": "ratio",
    "kelly": "percent",
    "average_holding_days": "ratio",
    "longest_holding_days": "count",
    "exposure": "percent",
    "longest_losing_streak": "count",
}


def test_the_report_renders_in_chromium_with_the_stats_numbers(run: Run, tmp_path: Path) -> None:
    for args in LOG:
        assert run(*args)[0] == 0
    page = tmp_path / "report.html"
    assert run("report", "Practice", "-o", str(page))[0] == 0
    code, out, _ = run("stats", "Practice", "--json")
    assert code == 0
    stats = json.loads(out)

    shot = tmp_path / "report.png"
    chromium(tmp_path, f"--screenshot={shot}", page.as_uri())
    image = QImage(str(shot))
    assert (image.width(), image.height()) == (1200, 1800)
    colours = {
        image.pixel(x, y) for x in range(0, image.width(), 7) for y in range(0, image.height(), 7)
    }
    assert len(colours) > 20, "the screenshot is blank"
    # the value chart's blue line and the drawdown's red were drawn
    assert any((c & 255) > 200 and (c >> 16 & 255) < 80 for c in colours)
    assert any((c >> 16 & 255) > 150 and (c >> 8 & 255) < 90 for c in colours)

    dom = chromium(tmp_path, "--dump-dom", page.as_uri())
    cards = Cards()
    cards.feed(dom)
    assert set(KINDS) <= set(cards.cards)
    for key, kind in KINDS.items():
        assert cards.cards[key] == shown(stats[key], kind), key
    assert cards.cards["total_pnl"] == "-117.25"
    assert not math.isnan(float(cards.cards["sqn"]))
