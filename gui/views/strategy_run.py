"""Layout of the Run strategy dialog: the strategy, its parameters as a form, the period, cash
and rules, the inline message, and a progress bar with Cancel while it runs; and the strategy
notes shown above a backtest's History."""

from __future__ import annotations

from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

from gui.dialogs.form import InlineMessage
from gui.theme import muted
from gui.views.strategy_fields import RunFields, StrategySource, add_run_fields


class RunStrategyView(QDialog):
    """Run a strategy file's class as a simulation portfolio."""

    def __init__(self, error_color: QColor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Run strategy")
        self.setMinimumWidth(620)
        self.source = StrategySource()
        self.doc = QLabel("")
        self.doc.setWordWrap(True)
        muted(self.doc)
        top = QFormLayout()
        top.addRow("Strategy", self.source)
        top.addRow("", self.doc)
        self.params_box = QGroupBox("Parameters")
        self.params = QFormLayout(self.params_box)
        self.run_form = QFormLayout()
        self.fields: RunFields = add_run_fields(self.run_form)
        self.name = QLineEdit()
        self.name.setPlaceholderText("the portfolio's name (default: the class name)")
        self.run_form.addRow("Portfolio name", self.name)
        self.message = InlineMessage(error_color)
        self.progress = QProgressBar()
        self.progress.setVisible(False)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("Run")
        self.ok.setEnabled(False)
        self.cancel = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.params_box)
        layout.addLayout(self.run_form)
        layout.addWidget(self.message)
        layout.addWidget(self.progress)
        layout.addWidget(self.buttons)

    def field_widgets(self) -> dict[str, QWidget]:
        """The widgets a problem can be about, by field name (parameters by their own)."""
        found: dict[str, QWidget] = {
            "file": self.source.file,
            "class": self.source.klass,
            "name": self.name,
        }
        found.update(self.fields.widgets())
        for row in range(self.params.rowCount()):
            item = self.params.itemAt(row, QFormLayout.ItemRole.FieldRole)
            widget = item.widget() if item is not None else None
            if widget is not None and widget.objectName().startswith("param-"):
                found[widget.objectName().removeprefix("param-")] = widget
        return found

    def set_running(self, running: bool) -> None:
        """While a run goes on: the fields locked, the progress bar shown, Cancel stops it."""
        locked: list[QWidget] = [self.source, self.params_box, self.name]
        for widget in [*locked, *self.fields.widgets().values()]:
            widget.setEnabled(not running)
        self.progress.setVisible(running)
        self.progress.setRange(0, 0)  # busy until the first report
        self.ok.setEnabled(not running)


class StrategyNotes(QGroupBox):
    """What a backtest portfolio ran (strategy, parameters, period) and its strategy's notes,
    each dated; hidden for a portfolio no strategy made."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Strategy notes", parent)
        self.summary = QLabel("")
        self.summary.setWordWrap(True)
        muted(self.summary)
        self.notes = QListWidget()
        self.notes.setMaximumHeight(110)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.addWidget(self.summary)
        layout.addWidget(self.notes)
        self.setVisible(False)

    def show_record(self, summary: str, notes: list[str]) -> None:
        self.summary.setText(summary)
        self.notes.clear()
        self.notes.addItems(notes or ["The strategy wrote no notes."])
        self.setVisible(True)

    def clear(self) -> None:
        self.notes.clear()
        self.setVisible(False)
