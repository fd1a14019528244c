"""Time travel: the slider, the history table's selection, and Play at a chosen speed."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QItemSelection, QObject, QTimer, Slot

from gui import formatting
from gui.history_rows import HistoryRow
from gui.models.history import TYPE_LABELS, HistoryTableModel
from gui.state import AsOf, Session
from gui.views.history_tab import HistoryView
from gui.views.replay_bar import SPEEDS, ReplayBar
from gui.views.table_tools import source_index, view_row


class ReplayController(QObject):
    """Keeps the slider, the selected history row and the session's "as of" in step."""

    def __init__(
        self, bar: ReplayBar, history: HistoryView, model: HistoryTableModel, session: Session
    ) -> None:
        super().__init__(bar)
        self.bar, self.history, self.model, self.session = bar, history, model, session
        self._rows: Sequence[HistoryRow] = []
        self.timer = QTimer(self)
        self.timer.timeout.connect(self._on_tick)
        bar.slider.valueChanged.connect(self._on_slider_moved)
        bar.play.clicked.connect(self._on_play_clicked)
        bar.back.clicked.connect(self.step_back)
        bar.forward.clicked.connect(self.step_forward)
        bar.latest.clicked.connect(self.go_latest)
        bar.speed.currentIndexChanged.connect(self._on_speed_changed)
        history.table.selectionModel().selectionChanged.connect(self._on_row_selected)
        self._show_empty()

    # -- content ----------------------------------------------------------------------------

    def set_rows(self, rows: Sequence[HistoryRow]) -> None:
        """A new history (another portfolio, or new events): travel back to the present."""
        self.stop()
        self._rows = rows
        self.model.set_rows(self._rows)
        enabled = len(self._rows) > 0
        for widget in (self.bar.slider, self.bar.play, self.bar.back, self.bar.forward):
            widget.setEnabled(enabled)
        if not enabled:
            self._show_empty()
            self.session.travel(None)
            return
        last = len(self._rows) - 1
        self.bar.slider.blockSignals(True)
        self.bar.slider.setRange(0, last)
        self.bar.slider.setValue(last)
        self.bar.slider.blockSignals(False)
        self._travel_to(last)
        self.history.table.scrollToBottom()
        self.history.fit_columns()

    @property
    def position(self) -> int:
        return self.bar.slider.value()

    @property
    def playing(self) -> bool:
        return self.timer.isActive()

    def speed_index(self) -> int:
        return self.bar.speed.currentIndex()

    def set_speed_index(self, index: int) -> None:
        if 0 <= index < len(SPEEDS):
            self.bar.speed.setCurrentIndex(index)

    # -- commands -----------------------------------------------------------------------------

    @Slot()
    def play(self) -> None:
        """Replay from the start (or from here, if not at the end) to the latest event."""
        if not len(self._rows):
            return
        if self.position >= len(self._rows) - 1:
            self.bar.slider.setValue(0)
        self.timer.start(int(self.bar.speed.currentData()))
        self.bar.set_playing(True)

    @Slot()
    def stop(self) -> None:
        self.timer.stop()
        self.bar.set_playing(False)

    @Slot()
    def toggle(self) -> None:
        self.stop() if self.playing else self.play()

    @Slot()
    def step_back(self) -> None:
        self.stop()
        self.bar.slider.setValue(max(0, self.position - 1))

    @Slot()
    def step_forward(self) -> None:
        self.stop()
        self.bar.slider.setValue(min(len(self._rows) - 1, self.position + 1))

    @Slot()
    def go_latest(self) -> None:
        self.stop()
        if len(self._rows):
            self.bar.slider.setValue(len(self._rows) - 1)

    # -- slots --------------------------------------------------------------------------------

    @Slot(bool)
    def _on_play_clicked(self, _checked: bool = False) -> None:
        self.toggle()

    @Slot()
    def _on_tick(self) -> None:
        if self.position >= len(self._rows) - 1:
            self.stop()
            return
        self.bar.slider.setValue(self.position + 1)
        if self.position >= len(self._rows) - 1:
            self.stop()

    @Slot(int)
    def _on_speed_changed(self, _index: int) -> None:
        if self.playing:
            self.timer.setInterval(int(self.bar.speed.currentData()))

    @Slot(int)
    def _on_slider_moved(self, value: int) -> None:
        if len(self._rows):
            self._travel_to(value)

    @Slot(QItemSelection, QItemSelection)
    def _on_row_selected(self, selected: QItemSelection, _deselected: QItemSelection) -> None:
        rows = [source_index(index).row() for index in selected.indexes()]
        current = self.history.table.currentIndex()
        if current.isValid() and selected.contains(current):
            rows = [source_index(current).row()]  # the row clicked, in a range selection
        if rows and rows[0] != self.position:
            self.stop()
            self.bar.slider.setValue(rows[0])

    def _travel_to(self, row: int) -> None:
        event = self._rows[row]
        latest = row == len(self._rows) - 1
        self.model.set_as_of(None if latest else row)
        self.bar.latest.setEnabled(not latest)
        label = TYPE_LABELS.get(event.type, event.type)
        what = f" {formatting.quantity(event.quantity)} {event.ticker}" if event.ticker else ""
        if event.ratio is not None:  # a split: "Split AAPL x2"
            what = f" {event.ticker} x{formatting.quantity(event.ratio)}"
        state = "latest" if latest else f"event {row + 1:,} of {len(self._rows):,}"
        self.bar.set_label(f"{event.on.isoformat()} · {label}{what} · {state}")
        table = self.history.table
        selection = table.selectionModel()
        shown = view_row(table, row)  # -1: filtered out of the table
        if shown >= 0 and (
            source_index(table.currentIndex()).row() != row
            or not selection.isRowSelected(shown, table.rootIndex())
        ):
            selection.blockSignals(True)
            table.selectRow(shown)
            selection.blockSignals(False)
            table.viewport().update()
        self.session.travel(AsOf(event.seq, event.version, event.on, latest))

    def show_loading(self) -> None:
        """The history is on its way (a long one waits for the analytics)."""
        self.stop()
        self._show_empty()
        self.bar.set_label("Loading the history…")

    def _show_empty(self) -> None:
        self.bar.set_label("No events yet")
        self.bar.latest.setEnabled(False)
        for widget in (self.bar.slider, self.bar.play, self.bar.back, self.bar.forward):
            widget.setEnabled(False)
