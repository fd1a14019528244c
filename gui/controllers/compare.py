"""The comparison tab's behaviour: which portfolios, value or growth, and the leaderboard.

The figures are erasmo's (`BranchService.compare`, `value_lines`, `leaderboard`) over the
window's own analytics, computed on the analytics' one-thread pool.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from uuid import UUID

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtWidgets import QListWidgetItem, QStackedWidget

from gui.analysis import ComparisonResult, comparison_of, leaderboard_of
from gui.models.portfolios import PortfolioListModel
from gui.models.records import RecordsTableModel
from gui.theme import Colors
from gui.views.compare_tab import COMPARE_COLUMNS, LEADERBOARD_COLUMNS, CompareView
from gui.wording import gui_text
from gui.workers import Jobs, Progress

if TYPE_CHECKING:
    from erasmo.branches import BranchService

ID_ROLE = Qt.ItemDataRole.UserRole + 10


class CompareController(QObject):
    """Overlays the ticked portfolios and lists their metrics; ranks every portfolio."""

    compared = Signal(object)  # ComparisonResult
    ranked = Signal(object)  # the leaderboard's records

    def __init__(
        self,
        branches: BranchService,
        analytics: Callable[[], Any],
        portfolios: PortfolioListModel,
        stack: QStackedWidget,
        colors: Colors,
        jobs: Jobs,
        parent: QObject,
    ) -> None:
        super().__init__(parent)
        self.analytics, self.portfolios, self.jobs = analytics, portfolios, jobs
        self.service = branches  # the composition root's, over the same analytics
        self.view = view = CompareView(colors)
        stack.addWidget(view)
        stack.setCurrentWidget(view)
        self.metrics = RecordsTableModel(COMPARE_COLUMNS, colors.gain, colors.loss, self)
        self.board = RecordsTableModel(LEADERBOARD_COLUMNS, colors.gain, colors.loss, self)
        view.set_table_models(self.metrics, self.board)
        self.result: ComparisonResult | None = None
        self._busy = False
        self._pending: tuple[list[UUID], bool] | None = None
        self._filling = False
        self.stale = False  # the store changed since the leaderboard was ranked
        view.portfolios.itemChanged.connect(self._on_ticked)
        view.scale.buttonClicked.connect(self._on_ticked)
        view.family.clicked.connect(self._on_family)
        view.rank.clicked.connect(self.rank)
        self._selected: UUID | None = None

    # -- which portfolios -----------------------------------------------------------------------

    def set_portfolios(self, selected: UUID | None) -> None:
        """List every portfolio; keep the ticks, or tick `selected`'s family when it changed."""
        ticked = set(self.ticked_ids())
        family = selected != self._selected
        self._selected = selected
        self._filling = True
        self.view.portfolios.clear()
        for row in self.portfolios.portfolios():
            parent = self.portfolios.parent_of(row.id)
            label = row.name if parent is None else f"{row.name}  (branch)"
            item = QListWidgetItem(label)
            item.setData(ID_ROLE, row.id)
            item.setData(Qt.ItemDataRole.UserRole, row.name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            checked = row.id in ticked
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
            self.view.portfolios.addItem(item)
        self._filling = False
        if family or not ticked:
            self._on_family()
        else:
            self.compare()

    def ticked_ids(self) -> list[UUID]:
        return [
            item.data(ID_ROLE)
            for item in self._items()
            if item.checkState() == Qt.CheckState.Checked
        ]

    def ticked_names(self) -> list[str]:
        return [
            item.data(Qt.ItemDataRole.UserRole)
            for item in self._items()
            if item.checkState() == Qt.CheckState.Checked
        ]

    def tick(self, ids: set[UUID]) -> None:
        """Tick exactly the portfolios `ids`, then compare them."""
        self._filling = True
        for item in self._items():
            wanted = item.data(ID_ROLE) in ids
            item.setCheckState(Qt.CheckState.Checked if wanted else Qt.CheckState.Unchecked)
        self._filling = False
        self.compare()

    def _items(self) -> list[QListWidgetItem]:
        widget = self.view.portfolios
        return [widget.item(i) for i in range(widget.count())]

    @Slot()
    def _on_family(self) -> None:
        selected = self._selected
        if selected is None:
            self.tick(set())
            return
        family = {selected}
        parent = self.portfolios.parent_of(selected)
        if parent is not None:
            family.add(parent)
        for row in self.portfolios.portfolios():
            if self.portfolios.parent_of(row.id) in family:
                family.add(row.id)
        self.tick(family)

    @Slot()
    def _on_ticked(self, *_: object) -> None:
        if not self._filling:
            self.compare()

    # -- computing ------------------------------------------------------------------------------

    def compare(self) -> None:
        """Compare the ticked portfolios (in the background; the latest request wins)."""
        ids = self.ticked_ids()
        if not ids:
            self.result = None
            self.view.set_lines(None)
            self.metrics.set_records([])
            self._say("Tick one or more portfolios to compare.")
            return
        self._pending = (ids, self.view.growth.isChecked())
        if not self._busy:
            self._compute_next()

    def _compute_next(self) -> None:
        request, self._pending = self._pending, None
        if request is None:
            return
        self._busy = True
        ids, relative = request
        service, analytics = self.service, self.analytics

        def job(progress: Progress) -> ComparisonResult:
            return comparison_of(service, analytics(), ids, relative)

        self.jobs.start(job, self._on_compared, self._on_failed)

    @Slot(object)
    def _on_compared(self, result: ComparisonResult) -> None:
        self._busy = False
        self.result = result
        self.view.set_lines(result)
        self.metrics.set_records(result.rows)
        self.view.message.setVisible(False)
        self.view.period.setText(
            f"Common period: returns of the trading days after {result.start.isoformat()} "
            f"up to {result.end.isoformat()}."
        )
        self.compared.emit(result)
        self._compute_next()

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        self._busy = False
        self.result = None
        self.view.set_lines(None)
        self.metrics.set_records([])
        self._say(message)
        self._compute_next()

    def _say(self, message: str) -> None:
        self.view.message.setText(gui_text(message))
        self.view.message.setVisible(True)
        self.view.period.setText("")

    # -- the leaderboard --------------------------------------------------------------------------

    @Slot()
    def rank(self) -> None:
        """Rank every open portfolio (in the background)."""
        service, analytics = self.service, self.analytics
        self.stale = False

        def job(progress: Progress) -> list[dict[str, Any]]:
            return leaderboard_of(service, analytics())

        self.view.rank.setEnabled(False)
        self.jobs.start(job, self._on_ranked, self._on_rank_failed)

    @Slot(object)
    def _on_ranked(self, records: list[dict[str, Any]]) -> None:
        self.view.rank.setEnabled(True)
        self.board.set_records(records)
        self.view.leaderboard_note.setText(
            "Ranked by TTWROR over the period the ranked portfolios share; IRR, max drawdown "
            "and Sharpe alongside."
        )
        self.ranked.emit(records)

    @Slot(str)
    def _on_rank_failed(self, message: str) -> None:
        self.view.rank.setEnabled(True)
        self.board.set_records([])
        self.view.leaderboard_note.setText(message)
