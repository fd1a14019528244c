"""Rename, change the rules of, close, reopen and delete the selected portfolio: the Portfolio
menu's commands, also offered by the sidebar's context menu.

Each command goes through erasmo's front door, by the portfolio's id. Delete asks first; a
deleted portfolio leaves the sidebar and the selection moves to its neighbour. The dialogs are
opened window-modal (`open()`, never `exec()`), so the window keeps running and tests can drive
them.
"""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

from PySide6.QtCore import QObject, QPoint, Qt, Slot
from PySide6.QtWidgets import QInputDialog, QLineEdit, QMenu, QMessageBox

from erasmo.door import FrontDoor
from events.errors import ErasmoError
from gui import theme
from gui.controllers.rules import RulesDialog
from gui.models.portfolios import PortfolioListModel, PortfolioRow
from gui.state import Session
from gui.views.main_window import MainWindow
from gui.wording import gui_text


class PortfolioLifecycle(QObject):
    """The rename, close, reopen and delete commands of the selected portfolio.

    `reload(select)` reads the portfolios again and selects `select` (None: keep the selection);
    `say(text)` shows a line in the status bar.
    """

    def __init__(
        self,
        door: FrontDoor,
        window: MainWindow,
        portfolios: PortfolioListModel,
        session: Session,
        reload: Callable[[UUID | None], None],
        say: Callable[[str], None],
    ) -> None:
        super().__init__(window)
        self.door, self.window = door, window
        self.portfolios, self.session = portfolios, session
        self._reload, self._say = reload, say
        self.rename_dialog: QInputDialog | None = None
        self.delete_dialog: QMessageBox | None = None
        self.error_dialog: QMessageBox | None = None
        a = window.commands
        a.rename_portfolio.triggered.connect(self.ask_rename)
        a.change_rules.triggered.connect(self.ask_rules)
        a.close_portfolio.triggered.connect(self.close_selected)
        a.reopen_portfolio.triggered.connect(self.reopen_selected)
        a.delete_portfolio.triggered.connect(self.ask_delete)
        tree = window.sidebar.table
        tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        tree.customContextMenuRequested.connect(self._on_context_menu)
        session.portfolio_changed.connect(self.update_actions)
        portfolios.modelReset.connect(self.update_actions)
        self.update_actions()

    # -- state ------------------------------------------------------------------------------

    def selected(self) -> PortfolioRow | None:
        """The selected portfolio's row in the sidebar, or None."""
        row = self.portfolios.row_of(self.session.portfolio)
        return None if row < 0 else self.portfolios.portfolio(row)

    @Slot()
    def update_actions(self, *_: object) -> None:
        """Enable what applies to the selected portfolio: its commands, close an open one,
        reopen a closed one; rename and delete either. Export waits for a first portfolio."""
        row = self.selected()
        a = self.window.commands
        for action in (a.trade, a.order, a.cash, a.fork, a.apply_actions):
            action.setEnabled(row is not None)  # commands on a portfolio need one
        a.export_log.setEnabled(self.portfolios.rowCount() > 0)  # nothing to export yet
        a.rename_portfolio.setEnabled(row is not None)
        a.change_rules.setEnabled(row is not None and not row.closed)
        a.delete_portfolio.setEnabled(row is not None)
        a.close_portfolio.setEnabled(row is not None and not row.closed)
        a.reopen_portfolio.setEnabled(row is not None and row.closed)

    def context_menu(self) -> QMenu:
        """The sidebar's context menu: the commands of the selected portfolio."""
        a = self.window.commands
        menu = QMenu(self.window.sidebar.table)
        for action in (a.trade, a.cash, None, a.change_rules, a.rename_portfolio):
            menu.addSeparator() if action is None else menu.addAction(action)
        menu.addAction(a.close_portfolio)
        menu.addAction(a.reopen_portfolio)
        menu.addSeparator()
        menu.addAction(a.delete_portfolio)
        return menu

    @Slot(QPoint)
    def _on_context_menu(self, pos: QPoint) -> None:
        tree = self.window.sidebar.table
        index = tree.indexAt(pos)
        if not index.isValid():
            return
        self.window.sidebar.select(index)
        menu = self.context_menu()
        menu.aboutToHide.connect(menu.deleteLater)
        menu.popup(tree.viewport().mapToGlobal(pos))

    # -- commands ---------------------------------------------------------------------------

    @Slot()
    def ask_rename(self) -> QInputDialog | None:
        """Ask for the selected portfolio's new name (a closed one can be renamed too)."""
        row = self.selected()
        if row is None:
            return None
        dialog = QInputDialog(self.window)
        dialog.setWindowTitle("Rename portfolio")
        dialog.setLabelText(f"New name for {row.name!r}:")
        dialog.setTextEchoMode(QLineEdit.EchoMode.Normal)
        dialog.setTextValue(row.name)
        dialog.textValueSelected.connect(lambda text: self.rename(row.id, row.name, text))
        dialog.finished.connect(dialog.deleteLater)
        self.rename_dialog = dialog
        dialog.open()
        return dialog

    def rename(self, portfolio_id: UUID, name: str, new_name: str) -> None:
        if new_name.strip() == name:
            return
        if self._run(lambda: self.door.rename(portfolio_id, new_name)):
            self._changed(portfolio_id, f"Renamed {name!r} to {new_name.strip()!r}.")

    @Slot()
    def ask_rules(self) -> RulesDialog | None:
        """The change-rules dialog of the selected portfolio (mode, commission, slippage)."""
        row = self.selected()
        if row is None:
            return None
        dialog = RulesDialog(
            self.door, row.id, row.name, theme.colors(self.window.palette()).loss, self.window
        )
        dialog.changed.connect(
            lambda pid: self._changed(pid, f"Changed the rules of {row.name!r}.")
        )
        dialog.open()
        return dialog

    @Slot()
    def close_selected(self) -> None:
        row = self.selected()
        if row is not None and self._run(lambda: self.door.close(row.id)):
            self._changed(row.id, f"Closed {row.name!r}; reopen it from the Portfolio menu.")

    @Slot()
    def reopen_selected(self) -> None:
        row = self.selected()
        if row is not None and self._run(lambda: self.door.reopen(row.id)):
            self._changed(row.id, f"Reopened {row.name!r}.")

    @Slot()
    def ask_delete(self) -> QMessageBox | None:
        """Ask before deleting the selected portfolio."""
        row = self.selected()
        if row is None:
            return None
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Delete portfolio",
            f"Delete {row.name!r}?\n\nIt leaves the list and its name is free again. Its events "
            "stay in the log, and 'erasmo portfolio undelete' brings it back.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            self.window,
        )
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.button(QMessageBox.StandardButton.Yes).setText("Delete")
        box.finished.connect(lambda result: self._on_delete_answer(row, result))
        box.finished.connect(box.deleteLater)
        self.delete_dialog = box
        box.open()
        return box

    def _on_delete_answer(self, row: PortfolioRow, result: int) -> None:
        if result != QMessageBox.StandardButton.Yes:
            return
        neighbour = self._neighbour(row.id)
        if not self._run(lambda: self.door.delete(row.id)):
            return
        self.session.store_changed.emit()
        self._reload(neighbour)
        if neighbour is None:
            self.session.select(None)
        self._say(f"Deleted {row.name!r}; 'erasmo portfolio undelete' brings it back.")

    def _neighbour(self, portfolio_id: UUID) -> UUID | None:
        """The portfolio to select once `portfolio_id` is gone: the next one, else the one
        before."""
        rows = self.portfolios.portfolios()
        i = next(i for i, r in enumerate(rows) if r.id == portfolio_id)
        rest = rows[i + 1 :] + rows[:i][::-1]
        return rest[0].id if rest else None

    # -- internals --------------------------------------------------------------------------

    def _changed(self, portfolio_id: UUID, message: str) -> None:
        self.session.store_changed.emit()
        self._reload(portfolio_id)
        self.update_actions()
        self._say(message)

    def _run(self, command: Callable[[], object]) -> bool:
        """Run a command; on a refusal show why (window-modal) and return False."""
        try:
            command()
        except ErasmoError as error:
            self._say(gui_text(str(error)))
            box = QMessageBox(
                QMessageBox.Icon.Warning, "erasmo", gui_text(str(error)),
                QMessageBox.StandardButton.Ok, self.window,
            )  # fmt: skip
            box.finished.connect(box.deleteLater)
            self.error_dialog = box
            box.open()
            return False
        return True
