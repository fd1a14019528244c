"""The main window's layout: toolbar, menus, sidebar, tabs, time-travel bar and status bar."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QGuiApplication,
    QIcon,
    QKeySequence,
    QPaintEvent,
)
from PySide6.QtWidgets import (
    QLabel,
    QMainWindow,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from gui.views.allocation_tab import AllocationView
from gui.views.clock_bar import ClockBar
from gui.views.history_tab import HistoryView
from gui.views.holdings_tab import HoldingsView
from gui.views.orders_tab import OrdersView
from gui.views.replay_bar import ReplayBar
from gui.views.sidebar import SidebarView
from gui.views.status import StatusBarView
from gui.views.welcome import WelcomeView

TITLE = "erasmo — stock-trading simulator"
(
    HOLDINGS_TAB,
    PERFORMANCE_TAB,
    ALLOCATION_TAB,
    HISTORY_TAB,
    CHART_TAB,
    ORDERS_TAB,
    COMPARE_TAB,
    JOURNAL_TAB,
) = range(8)


@dataclass
class Actions:
    """Every command of the window, shared by its menus, toolbar and shortcuts."""

    new_portfolio: QAction
    trade: QAction
    order: QAction
    fork: QAction
    cash: QAction
    refresh_prices: QAction
    apply_actions: QAction
    import_log: QAction
    export_log: QAction
    export_report: QAction
    sync: QAction
    demo: QAction
    quit: QAction
    refresh: QAction
    tabs: list[QAction]
    play: QAction
    step_back: QAction
    step_forward: QAction
    latest: QAction
    about: QAction
    # the selected portfolio's lifecycle (gui.controllers.lifecycle)
    rename_portfolio: QAction
    change_rules: QAction
    close_portfolio: QAction
    reopen_portfolio: QAction
    delete_portfolio: QAction


def _action(
    parent: QObject,
    text: str,
    shortcut: QKeySequence | QKeySequence.StandardKey | str | None,
    tip: str,
) -> QAction:
    action = QAction(text, parent)
    if shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
    keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
    action.setToolTip(f"{tip} ({keys})" if keys else tip)
    action.setStatusTip(tip)
    return action


def _tab_actions(window: QMainWindow) -> list[QAction]:
    """Ctrl+1 … Ctrl+8: show each tab."""
    names = (
        "&Holdings",
        "&Performance",
        "&Allocation",
        "Hi&story",
        "Price &chart",
        "&Orders",
        "Co&mpare",
        "&Journal",
    )
    return [
        _action(window, name, f"Ctrl+{i + 1}", f"Show the {name.replace('&', '').lower()} tab")
        for i, name in enumerate(names)
    ]


def _replay_actions(window: QMainWindow) -> dict[str, QAction]:
    """Replay the history: play or pause, one event back or forward, the latest."""
    return {
        "play": _action(window, "&Play / Pause replay", "Ctrl+P", "Replay the history"),
        "step_back": _action(window, "Step &back", "Ctrl+Left", "One event back"),
        "step_forward": _action(window, "Step &forward", "Ctrl+Right", "One event forward"),
        "latest": _action(window, "&Latest", "End", "Back to the latest event"),
    }


def _actions(window: QMainWindow) -> Actions:
    std = QKeySequence.StandardKey
    return Actions(
        new_portfolio=_action(window, "&New portfolio…", std.New, "Open a new portfolio"),
        trade=_action(window, "&Trade…", "Ctrl+T", "Buy or sell shares"),
        order=_action(
            window, "Place &order…", "Ctrl+Shift+O", "Place a market, limit, stop or trailing order"
        ),
        fork=_action(
            window,
            "&Fork at event…",
            "Ctrl+Shift+F",
            "Start a what-if branch at the selected event",
        ),
        refresh_prices=_action(
            window, "Refresh &prices", "Ctrl+Shift+R", "Fetch the latest prices in the background"
        ),
        apply_actions=_action(
            window,
            "Apply &splits and dividends…",
            None,
            "Record the stock splits and dividends the portfolio's holdings went through",
        ),
        cash=_action(window, "&Deposit / Withdraw…", "Ctrl+D", "Move cash in or out"),
        import_log=_action(window, "&Import…", "Ctrl+I", "Import an exported event log"),
        export_log=_action(window, "&Export…", "Ctrl+E", "Export the event log to a file"),
        export_report=_action(
            window,
            "Export &report…",
            None,
            "Write the selected portfolio's trading journal as one HTML page",
        ),
        sync=_action(window, "S&ync…", "Ctrl+Shift+S", "Synchronise with another erasmo"),
        demo=_action(window, "Create &demo portfolio", None, "Create the demo portfolio"),
        quit=_action(window, "&Quit", std.Quit, "Quit erasmo"),
        refresh=_action(window, "&Reload", std.Refresh, "Reload every portfolio from the store"),
        tabs=_tab_actions(window),
        about=_action(window, "&About erasmo", None, "About erasmo"),
        **_replay_actions(window),
        **_lifecycle_actions(window),
    )


def _lifecycle_actions(window: QMainWindow) -> dict[str, QAction]:
    """The selected portfolio's rename, rules, close, reopen and delete."""
    return {
        "rename_portfolio": _action(window, "Re&name…", "F2", "Rename the selected portfolio"),
        "change_rules": _action(
            window,
            "Change r&ules…",
            None,
            "Change the selected portfolio's mode, commission and slippage",
        ),
        "close_portfolio": _action(
            window, "C&lose", None, "Close the selected portfolio: it accepts no more commands"
        ),
        "reopen_portfolio": _action(
            window, "R&eopen", None, "Reopen the selected closed portfolio"
        ),
        "delete_portfolio": _action(
            window,
            "De&lete…",
            None,
            "Delete the selected portfolio (its events stay in the log; it can be undeleted)",
        ),
    }


class MainWindow(QMainWindow):
    """Layout only; `gui.controllers.main.MainController` gives it behaviour."""

    first_painted = Signal()
    closing = Signal()

    def __init__(self, icon: QIcon | None = None) -> None:
        super().__init__()
        self.setWindowTitle(TITLE)
        if icon is not None:
            self.setWindowIcon(icon)
        self.setObjectName("erasmo-main-window")
        self.resize(1280, 800)
        self.clamp_to_screen()
        self._painted = False
        self.commands = _actions(self)
        self._build_menus()
        self._build_toolbar()
        self.sidebar = SidebarView()
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.holdings = HoldingsView()
        self.performance = QStackedWidget()  # a placeholder until the charts are loaded
        self.performance_placeholder = QLabel("Loading charts…")
        self.performance_placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.performance.addWidget(self.performance_placeholder)
        self.allocation = AllocationView()
        self.history = HistoryView()
        self.chart = QStackedWidget()  # the price chart, built once pyqtgraph is loaded
        self.chart_placeholder = QLabel("Loading charts…")
        self.chart_placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.chart.addWidget(self.chart_placeholder)
        self.tabs.addTab(self.holdings, "Holdings")
        self.tabs.addTab(self.performance, "Performance")
        self.tabs.addTab(self.allocation, "Allocation")
        self.tabs.addTab(self.history, "History")
        self.tabs.addTab(self.chart, "Price chart")
        self.orders = OrdersView()
        self.tabs.addTab(self.orders, "Orders")
        self.compare = QStackedWidget()  # branches side by side, once pyqtgraph is loaded
        self.compare_placeholder = QLabel("Loading charts…")
        self.compare_placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.compare.addWidget(self.compare_placeholder)
        self.tabs.addTab(self.compare, "Compare")
        self.journal = QStackedWidget()  # the trading journal, once pyqtgraph is loaded
        self.journal_placeholder = QLabel("Loading the journal…")
        self.journal_placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.journal.addWidget(self.journal_placeholder)
        self.tabs.addTab(self.journal, "Journal")
        self.clock = ClockBar()
        self.replay = ReplayBar()
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.setSpacing(0)
        right_layout.addWidget(self.tabs, 1)
        right_layout.addWidget(self.clock)
        right_layout.addWidget(self.replay)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("main-splitter")
        self.splitter.addWidget(self.sidebar)
        self.welcome = WelcomeView()
        self.pages = QStackedWidget()  # the tabs, or the welcome while there is no portfolio
        self.pages.addWidget(right)
        self.pages.addWidget(self.welcome)
        self.splitter.addWidget(self.pages)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([300, 980])
        self.setCentralWidget(self.splitter)
        self.status = StatusBarView(self.statusBar())

    def _build_menus(self) -> None:
        a = self.commands
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        for action in (
            a.new_portfolio,
            None,
            a.import_log,
            a.export_log,
            a.export_report,
            a.sync,
            None,
            a.quit,
        ):
            file_menu.addSeparator() if action is None else file_menu.addAction(action)
        portfolio_menu = bar.addMenu("&Portfolio")
        for action in (a.trade, a.order, a.cash, None, a.fork, a.apply_actions, None, a.demo):
            portfolio_menu.addSeparator() if action is None else portfolio_menu.addAction(action)
        portfolio_menu.addSeparator()
        for action in (a.rename_portfolio, a.change_rules, a.close_portfolio, a.reopen_portfolio):
            portfolio_menu.addAction(action)
        portfolio_menu.addAction(a.delete_portfolio)
        view_menu = bar.addMenu("&View")
        for action in a.tabs:
            view_menu.addAction(action)
        view_menu.addSeparator()
        view_menu.addAction(a.refresh)
        view_menu.addAction(a.refresh_prices)
        travel_menu = bar.addMenu("&Time travel")
        for action in (a.play, a.step_back, a.step_forward, a.latest):
            travel_menu.addAction(action)
        help_menu = bar.addMenu("&Help")
        help_menu.addAction(a.about)

    def _build_toolbar(self) -> None:
        a = self.commands
        toolbar = QToolBar("Main", self)
        toolbar.setObjectName("main-toolbar")
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        for action in (
            a.new_portfolio,
            a.trade,
            a.order,
            a.cash,
            None,
            a.fork,
            None,
            a.refresh_prices,
            None,
            a.import_log,
            a.export_log,
            a.sync,
        ):
            toolbar.addSeparator() if action is None else toolbar.addAction(action)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, toolbar)
        self.toolbar = toolbar

    def clamp_to_screen(self) -> None:
        """Fit the window inside its screen's available area (a small laptop screen, a
        geometry saved on a bigger monitor)."""
        screen = self.screen() or QGuiApplication.primaryScreen()
        area = screen.availableGeometry()
        frame = self.frameGeometry().size() - self.geometry().size()  # title bar and borders
        width = min(self.width(), area.width() - frame.width())
        height = min(self.height(), area.height() - frame.height())
        if (width, height) != (self.width(), self.height()):
            self.resize(width, height)
        if not area.contains(self.frameGeometry()):
            x = min(max(self.x(), area.left()), area.right() - self.frameGeometry().width() + 1)
            y = min(max(self.y(), area.top()), area.bottom() - self.frameGeometry().height() + 1)
            self.move(x, y)

    def show_welcome(self, welcome: bool) -> None:
        """The welcome (no portfolio yet) instead of the tabs, or the tabs again."""
        self.pages.setCurrentIndex(1 if welcome else 0)
        self.sidebar.table.setVisible(not welcome)

    # -- events ---------------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        super().paintEvent(event)
        if not self._painted:
            self._painted = True
            # Emitted from the event loop, once this frame has been flushed to the screen.
            QTimer.singleShot(0, self.first_painted.emit)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        self.closing.emit()
        super().closeEvent(event)
