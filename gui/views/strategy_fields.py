"""Fields the strategy dialogs share: the strategy file and class, a declared parameter's editor,
and the run's period, cash and trading rules."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from gui.dialogs.form import date_edit
from gui.widgets.date_field import DateField

#: How a parameter's type is named beside its field.
TYPE_WORDS = {int: "whole number", float: "number", str: "text", bool: "yes/no"}
_WIDE = 1_000_000_000


class StrategySource(QWidget):
    """The strategy file (typed, or picked with Browse…) and the class to run."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.file = QLineEdit()
        self.file.setPlaceholderText("a .py file with a Strategy class, e.g. sma_cross.py")
        self.browse = QPushButton("Browse…")
        self.klass = QComboBox()
        self.klass.setMinimumContentsLength(12)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.file, 1)
        row.addWidget(self.browse)
        row.addWidget(self.klass)


def param_label(param: Any) -> str:
    """`fast (whole number, ≥ 1)`: a parameter's name, type and range."""
    words = [TYPE_WORDS.get(param.type, "decimal number")]
    if param.low is not None and param.high is not None:
        words.append(f"{param.low}–{param.high}")
    elif param.low is not None:
        words.append(f"≥ {param.low}")
    elif param.high is not None:
        words.append(f"≤ {param.high}")
    return f"{param.name} ({', '.join(words)})"


def param_editor(param: Any) -> QWidget:
    """An editor for one declared parameter, showing its default: a spin box for a whole number
    or a number (held to its range), a check box for yes/no, a line for text or a decimal."""
    editor: QWidget
    if param.type is bool:
        editor = QCheckBox()
        editor.setChecked(bool(param.default))
    elif param.type is int:
        editor = QSpinBox()
        editor.setRange(
            int(param.low) if param.low is not None else -_WIDE,
            int(param.high) if param.high is not None else _WIDE,
        )
        editor.setValue(int(param.default))
    elif param.type is float:
        editor = QDoubleSpinBox()
        editor.setDecimals(4)
        editor.setRange(
            float(param.low) if param.low is not None else -_WIDE,
            float(param.high) if param.high is not None else _WIDE,
        )
        editor.setValue(float(param.default))
    else:
        editor = QLineEdit(str(param.default))
    editor.setObjectName(f"param-{param.name}")
    editor.setToolTip(param.help or param.name)
    return editor


def editor_text(editor: QWidget) -> str:
    """What a parameter editor holds, as the text `Param.read` takes."""
    if isinstance(editor, QCheckBox):
        return "true" if editor.isChecked() else "false"
    if isinstance(editor, QSpinBox):
        return str(editor.value())
    if isinstance(editor, QDoubleSpinBox):
        return repr(editor.value())
    assert isinstance(editor, QLineEdit)
    return editor.text()


@dataclass
class RunFields:
    """The period, opening cash and trading rules of a run."""

    start: DateField
    end: DateField
    cash: QLineEdit
    commission: QLineEdit
    slippage: QLineEdit

    def widgets(self) -> dict[str, QWidget]:
        return {
            "start": self.start,
            "end": self.end,
            "cash": self.cash,
            "commission": self.commission,
            "slippage": self.slippage,
        }


def add_run_fields(form: QFormLayout, cash: str = "100000") -> RunFields:
    """Add the period, cash and rules rows to `form`."""
    start, end = date_edit(), date_edit()
    period = QHBoxLayout()
    period.addWidget(start)
    period.addWidget(end)
    period.addStretch(1)
    fields = RunFields(start, end, QLineEdit(cash), QLineEdit("0"), QLineEdit("0"))
    fields.commission.setPlaceholderText("e.g. 1.00, 0.1%, 0.005/share,min=1")
    fields.commission.setToolTip(
        "Commission per fill: a flat fee (1.00), a percentage (0.1%), per share "
        "(0.005/share,min=1), as for a portfolio's trading rules"
    )
    fields.slippage.setToolTip("Slippage in basis points of the price (5 = 0.05%)")
    form.addRow("Period (first, last day)", period)
    form.addRow("Opening cash", fields.cash)
    form.addRow("Commission", fields.commission)
    form.addRow("Slippage (bps)", fields.slippage)
    return fields
