"""Opening the store at startup, and offering the automatic backups when it cannot be opened."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Slot
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QListWidgetItem, QWidget

from erasmo.backup import list_backups
from erasmo.bootstrap import Erasmo, bootstrap
from erasmo.config import resolve_data_dir
from erasmo.door.logs import restore_backup
from erasmo.market.base import MarketData
from events.errors import ErasmoError, StoreError
from gui.dialogs.sync import RestoreView

#: Shows the restore dialog and returns whether a backup was restored (tests drive it).
Ask = Callable[[RestoreView], bool]


def _exec(view: RestoreView) -> bool:
    return bool(view.exec())


class RestoreOffer(QObject):
    """The restore dialog over a store that cannot be opened: restore a checked backup, or quit."""

    def __init__(
        self,
        store: tuple[Path, str | None],
        backups: list[Path],
        market: MarketData,
        problem: str,
        error_color: QColor,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.store, self.market = store, market  # (data directory, store URL)
        self.view = RestoreView(error_color, parent)
        self.view.problem.setText(f"erasmo cannot open its store: {problem}")
        for path in backups:
            item = QListWidgetItem(_describe(path))
            item.setData(Qt.ItemDataRole.UserRole, str(path))
            self.view.backups.addItem(item)
        self.view.backups.setCurrentRow(0)
        self.view.restore.clicked.connect(self._on_restore)
        self.view.backups.itemDoubleClicked.connect(lambda _item: self._on_restore())
        self.restored: Path | None = None

    @Slot()
    def _on_restore(self) -> None:
        if self.view.backups.currentRow() < 0:
            self.view.message.show_error("Pick a backup to restore.")
            return
        item = self.view.backups.currentItem()
        path = Path(str(item.data(Qt.ItemDataRole.UserRole)))
        try:
            restore_backup(*self.store, path, self.market)
        except ErasmoError as error:
            self.view.message.show_error(f"{error} Pick another backup, or quit.")
            return
        self.restored = path
        self.view.accept()


def _describe(path: Path) -> str:
    try:
        stat = path.stat()
    except OSError:
        return path.name
    when = datetime.fromtimestamp(stat.st_mtime).strftime("%Y-%m-%d %H:%M:%S")
    return f"{when}  ·  {path.name}  ·  {stat.st_size / 1024:,.0f} KB"


def open_erasmo(
    data_dir: str | Path | None,
    store_url: str | None,
    error_color: QColor,
    *,
    market: MarketData | None = None,
    ask: Ask = _exec,
) -> Erasmo | None:
    """erasmo over its store; when the store cannot be opened and there are automatic backups,
    offer them until one is restored (then start) or the user quits (None).

    Raises the `ErasmoError` when there is nothing to offer.
    """
    while True:
        try:
            return bootstrap(data_dir, store_url, market=market)
        except StoreError as error:
            directory = resolve_data_dir(data_dir)
            backups = list_backups(directory)
            if not backups:
                raise
            if market is None:
                from erasmo.market.bundled import BundledMarketData

                market = BundledMarketData()
            offer = RestoreOffer((directory, store_url), backups, market, str(error), error_color)
            if not ask(offer.view) or offer.restored is None:
                return None
