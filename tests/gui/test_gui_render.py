"""The main window with the demo portfolio renders to PNG files that are not blank.

The README's screenshots come from the same code path: `python -m gui.screenshots`.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication

from gui.screenshots import take


def colours(image: QImage, step: int = 4) -> set[int]:
    return {
        image.pixel(x, y)
        for y in range(0, image.height(), step)
        for x in range(0, image.width(), step)
    }


def test_the_demo_window_renders_to_non_blank_pngs(qapp: QApplication, tmp_path: Path) -> None:
    saved = take(tmp_path / "shots", tmp_path / "data")
    names = [p.name for p in saved]
    assert names == [
        "holdings.png",
        "performance.png",
        "allocation.png",
        "history.png",
        "time-travel.png",
        "trade-ticket.png",
        "price-chart.png",
        "orders.png",
        "order-ticket.png",
        "compare.png",
        "journal.png",
        "dark.png",
    ]
    for path in saved:
        image = QImage(str(path))
        assert not image.isNull(), path
        assert image.width() >= 400
        assert image.height() >= 300
        found = colours(image)
        assert len(found) >= 40, f"{path.name} looks blank: {len(found)} colours"
        # no colour covers (almost) everything: the window is not one flat fill
        counts: dict[int, int] = {}
        for y in range(0, image.height(), 4):
            for x in range(0, image.width(), 4):
                counts[image.pixel(x, y)] = counts.get(image.pixel(x, y), 0) + 1
        assert max(counts.values()) / sum(counts.values()) < 0.9, path.name
    performance = QImage(str(tmp_path / "shots" / "performance.png"))
    assert performance.size().width() == 1280
    light, dark = (QImage(str(tmp_path / "shots" / n)) for n in ("performance.png", "dark.png"))
    assert QColor(light.pixel(640, 400)).lightness() > 128  # a light chart background
    assert QColor(dark.pixel(640, 400)).lightness() < 128
