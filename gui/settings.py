"""Window state kept between runs (QSettings in an INI file in the data directory)."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from uuid import UUID

from PySide6.QtCore import QByteArray, QSettings

SETTINGS_FILE = "gui.ini"


class WindowSettings:
    """Geometry, splitter sizes, tab, replay speed and the last portfolio."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / SETTINGS_FILE
        self._qs = QSettings(str(self.path), QSettings.Format.IniFormat)

    def _bytes(self, key: str) -> QByteArray | None:
        value: Any = self._qs.value(key)
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    @property
    def geometry(self) -> QByteArray | None:
        return self._bytes("window/geometry")

    @property
    def window_state(self) -> QByteArray | None:
        return self._bytes("window/state")

    @property
    def splitter(self) -> QByteArray | None:
        return self._bytes("window/splitter")

    def _int(self, key: str, default: int) -> int:
        try:
            return int(str(self._qs.value(key, default)))
        except ValueError:
            return default

    @property
    def tab(self) -> int:
        return self._int("window/tab", 0)

    @property
    def speed(self) -> int:
        return self._int("replay/speed", 1)

    @property
    def last_portfolio(self) -> UUID | None:
        text = self._qs.value("portfolio/last")
        try:
            return UUID(str(text)) if text else None
        except ValueError:
            return None

    @property
    def demo_offered(self) -> bool:
        return str(self._qs.value("firstrun/demo_offered", "false")).lower() == "true"

    def save(
        self,
        *,
        geometry: QByteArray,
        window_state: QByteArray,
        splitter: QByteArray,
        tab: int,
        speed: int,
        last_portfolio: UUID | None,
    ) -> None:
        """Write the window's state (called when it closes)."""
        self._qs.setValue("window/geometry", geometry)
        self._qs.setValue("window/state", window_state)
        self._qs.setValue("window/splitter", splitter)
        self._qs.setValue("window/tab", tab)
        self._qs.setValue("replay/speed", speed)
        self._qs.setValue("portfolio/last", str(last_portfolio) if last_portfolio else "")
        self._qs.sync()

    def mark_demo_offered(self) -> None:
        self._qs.setValue("firstrun/demo_offered", "true")
        self._qs.sync()
