"""The look: the platform's light or dark palette, gain and loss colours, the app icon."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QPalette
from PySide6.QtWidgets import QApplication, QWidget

from erasmo.market.resources import resources_dir


@dataclass(frozen=True, slots=True)
class Colors:
    """Colours that depend on the palette: gains, losses, chart lines."""

    dark: bool
    gain: QColor
    loss: QColor
    neutral: QColor
    value_line: QColor
    benchmark_line: QColor
    drawdown: QColor
    crosshair: QColor
    series: tuple[str, ...]


_SERIES = (
    "#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948",
    "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac", "#1f77b4", "#2ca02c",
)  # fmt: skip


def is_dark(palette: QPalette | None = None) -> bool:
    """Whether the palette in use is a dark one."""
    if palette is None:
        hints = QGuiApplication.styleHints()
        scheme = hints.colorScheme() if hints is not None else Qt.ColorScheme.Unknown
        if scheme != Qt.ColorScheme.Unknown:
            return scheme == Qt.ColorScheme.Dark
        palette = QGuiApplication.palette()
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def colors(palette: QPalette | None = None) -> Colors:
    """Gain, loss and chart colours readable on the palette in use."""
    if is_dark(palette):
        return Colors(
            dark=True,
            gain=QColor("#3fb950"),
            loss=QColor("#f85149"),
            neutral=QColor("#8b949e"),
            value_line=QColor("#58a6ff"),
            benchmark_line=QColor("#d2a8ff"),
            drawdown=QColor("#f85149"),
            crosshair=QColor("#c9d1d9"),
            series=_SERIES,
        )
    return Colors(
        dark=False,
        gain=QColor("#1a7f37"),
        loss=QColor("#cf222e"),
        neutral=QColor("#57606a"),
        value_line=QColor("#0969da"),
        benchmark_line=QColor("#8250df"),
        drawdown=QColor("#cf222e"),
        crosshair=QColor("#24292f"),
        series=_SERIES,
    )


def dark_palette() -> QPalette:
    """A dark Fusion palette, for platforms that ask for dark but give Fusion no colours."""
    p = QPalette()
    window, base, text = QColor("#1f2328"), QColor("#161b22"), QColor("#e6edf3")
    role = QPalette.ColorRole
    for r, c in (
        (role.Window, window),
        (role.WindowText, text),
        (role.Base, base),
        (role.AlternateBase, QColor("#21262d")),
        (role.ToolTipBase, QColor("#30363d")),
        (role.ToolTipText, text),
        (role.PlaceholderText, QColor("#8b949e")),
        (role.Text, text),
        (role.Button, QColor("#2d333b")),
        (role.ButtonText, text),
        (role.BrightText, QColor("#ff7b72")),
        (role.Link, QColor("#58a6ff")),
        (role.Highlight, QColor("#1f6feb")),
        (role.HighlightedText, QColor("#ffffff")),
        (role.Mid, QColor("#484f58")),
        (role.Dark, QColor("#30363d")),
        (role.Light, QColor("#6e7681")),
        (role.Midlight, QColor("#3d444d")),
        (role.Shadow, QColor("#010409")),
    ):
        p.setColor(r, c)
    disabled = QPalette.ColorGroup.Disabled
    for r in (role.Text, role.ButtonText, role.WindowText):
        p.setColor(disabled, r, QColor("#6e7681"))
    return p


def apply(app: QApplication, *, dark: bool | None = None) -> None:
    """Use Fusion with the platform's light or dark palette (or the one asked for)."""
    app.setStyle("Fusion")
    if dark is None:
        dark = is_dark()
    app.setPalette(dark_palette() if dark else app.style().standardPalette())


def app_icon() -> QIcon:
    """erasmo's icon (resources/icons/erasmo.svg)."""
    try:
        path = resources_dir() / "icons" / "erasmo.svg"
    except FileNotFoundError:
        return QIcon()
    return QIcon(str(path))


def muted(widget: QWidget) -> QWidget:
    """Draw a label's text in the palette's muted colour (captions, hints, notes)."""
    widget.setForegroundRole(QPalette.ColorRole.PlaceholderText)
    return widget


def visible_checks(widget: QWidget) -> QWidget:
    """Make the check boxes of `widget` readable on a dark palette.

    Fusion draws a check box's frame in the window colour darkened, which on a dark window is
    as dark as the box itself; a lighter window colour for this widget alone gives it a frame.
    """
    palette = widget.palette()
    if palette.color(QPalette.ColorRole.Window).lightness() < 128:
        palette.setColor(QPalette.ColorRole.Window, QColor("#8b949e"))
        widget.setPalette(palette)
    return widget
