"""What every table of the window offers: a filter box, copy of the selected rows as TSV
(Ctrl+C), and the mapping between what a table shows and its model's rows.

The filters are `QSortFilterProxyModel`s that use Qt's own matching (no Python per row), so a
history of a million events costs nothing until a filter is typed.
"""

from __future__ import annotations

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractProxyModel,
    QModelIndex,
    QPersistentModelIndex,
    QRegularExpression,
    QSortFilterProxyModel,
    Qt,
    Slot,
)
from PySide6.QtGui import QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QLineEdit,
    QTableView,
    QWidget,
)

from gui.theme import visible_checks

Index = QModelIndex | QPersistentModelIndex


class TextFilter(QSortFilterProxyModel):
    """Keeps the rows with the typed text in any column (case ignored); `sort` is passed to
    the model below, which knows how its rows sort."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFilterKeyColumn(-1)
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setDynamicSortFilter(False)

    def set_text(self, text: str) -> None:
        self.setFilterFixedString(text.strip())

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        source = self.sourceModel()
        if source is not None:
            source.sort(column, order)
            self.invalidate()


class TypeFilter(QSortFilterProxyModel):
    """Hides the rows whose `column` shows one of the `hidden` labels (e.g. clock steps)."""

    def __init__(self, column: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFilterKeyColumn(column)
        self.setDynamicSortFilter(False)
        self.hidden: frozenset[str] = frozenset()

    def hide_labels(self, labels: frozenset[str]) -> None:
        self.hidden = labels
        if not labels:
            self.setFilterRegularExpression("")
            return
        names = "|".join(QRegularExpression.escape(label) for label in sorted(labels))
        self.setFilterRegularExpression(QRegularExpression(f"^(?!(?:{names})$).*$"))


class FilterBar(QWidget):
    """A filter box (and any check boxes beside it) above a table."""

    def __init__(self, placeholder: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.text = QLineEdit()
        self.text.setPlaceholderText(placeholder)
        self.text.setClearButtonEnabled(True)
        self.text.setToolTip("Show only the rows with this text in any column (Ctrl+F)")
        self.row = QHBoxLayout(self)
        self.row.setContentsMargins(0, 0, 0, 0)
        self.row.addWidget(self.text, 1)

    def add_check(self, text: str, tip: str) -> QCheckBox:
        check = QCheckBox(text)
        check.setToolTip(tip)
        visible_checks(check)
        self.row.addWidget(check)
        return check


def filtered(
    table: QTableView, model: QAbstractItemModel, bar: FilterBar, *proxies: QSortFilterProxyModel
) -> TextFilter:
    """Show `model` in `table` through `proxies` (outermost last) and a text filter fed by
    `bar`; Ctrl+F focuses the box and Ctrl+C copies the selected rows."""
    source = model
    for proxy in proxies:
        proxy.setSourceModel(source)
        source = proxy
    text = TextFilter(table)
    text.setSourceModel(source)
    table.setModel(text)
    bar.text.textChanged.connect(text.set_text)
    find = QShortcut(QKeySequence(QKeySequence.StandardKey.Find), table.parentWidget() or table)
    find.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
    find.activated.connect(bar.text.setFocus)
    table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
    enable_copy(table)
    return text


def source_index(index: Index) -> QModelIndex:
    """The index of the bottom model a table's index (through any proxies) stands for."""
    result = index if isinstance(index, QModelIndex) else QModelIndex(index)  # type: ignore[call-overload]
    model = result.model()
    while isinstance(model, QAbstractProxyModel):
        result = model.mapToSource(result)
        model = result.model()
    return result


def view_row(table: QTableView, source_row: int) -> int:
    """The table's row of the bottom model's `source_row` (-1 when filtered out)."""
    chain: list[QAbstractProxyModel] = []
    model = table.model()
    while isinstance(model, QAbstractProxyModel):
        chain.append(model)
        model = model.sourceModel()
    index = model.index(source_row, 0)
    for proxy in reversed(chain):
        index = proxy.mapFromSource(index)
    return index.row() if index.isValid() else -1


def selected_source_rows(table: QTableView) -> list[int]:
    """The bottom model's rows of the table's selected rows, in the table's order."""
    rows = sorted(table.selectionModel().selectedRows(), key=lambda i: i.row())
    return [source_index(index).row() for index in rows]


def rows_as_tsv(table: QTableView, rows: list[int] | None = None) -> str:
    """The header and the given table rows (default: the selected ones) as tab-separated text,
    the columns in the order shown."""
    model = table.model()
    header = table.horizontalHeader()
    columns = [
        header.logicalIndex(visual)
        for visual in range(header.count())
        if not header.isSectionHidden(header.logicalIndex(visual))
    ]
    if rows is None:
        rows = sorted(index.row() for index in table.selectionModel().selectedRows())

    def clean(value: object) -> str:
        return "" if value is None else str(value).replace("\t", " ").replace("\n", " ")

    head = [clean(model.headerData(c, Qt.Orientation.Horizontal)) for c in columns]
    body = [[clean(model.index(r, c).data()) for c in columns] for r in rows]
    return "\n".join("\t".join(line) for line in [head, *body]) + "\n"


def copy_rows(table: QTableView) -> str:
    """Put the selected rows on the clipboard as TSV (nothing when none is selected)."""
    if not table.selectionModel().selectedRows():
        return ""
    text = rows_as_tsv(table)
    QGuiApplication.clipboard().setText(text)
    return text


def enable_copy(table: QTableView) -> None:
    """Ctrl+C on the table copies its selected rows as TSV."""
    shortcut = QShortcut(QKeySequence(QKeySequence.StandardKey.Copy), table)
    shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)

    @Slot()
    def copy() -> None:
        copy_rows(table)

    shortcut.activated.connect(copy)
