"""The guard against a Qt binding that drops references to None and True (gui.bindings).

PySide6-Essentials 6.12.0 does: every void call and every `emit` costs None or True one
reference, and on Python 3.11 the interpreter aborts once one of them reaches zero: the window
vanished seconds after a trade. The processes below make more such calls than None and True
have references, with and without the guard.
"""

from __future__ import annotations

import gc
import subprocess
import sys
import textwrap

from PySide6.QtCore import QObject, Signal

from gui.bindings import binding_miscounts

CALLS = 1000

#: Makes more void calls and emits than None and True have references, then says "alive".
DRAIN = textwrap.dedent(
    """
    import sys
    from PySide6.QtCore import QObject, Signal
    from PySide6.QtWidgets import QApplication, QLabel
    from gui import bindings

    class Emitter(QObject):
        ping = Signal()

    app = QApplication([])
    label, emitter = QLabel(), Emitter()
    void_calls = sys.getrefcount(None) + 5000
    emits = sys.getrefcount(True) + 5000
    if sys.argv[1] == "guarded":
        bindings.keep_singletons_alive()
    for _ in range(void_calls):
        label.setText("erasmo")
    for _ in range(emits):
        emitter.ping.emit()
    print("alive", flush=True)
    """
)


def drain(mode: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", DRAIN, mode],
        capture_output=True,
        text=True,
        timeout=300,
        env={"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin"},
    )


class Emitter(QObject):
    ping = Signal()


def test_the_probe_agrees_with_a_count_taken_here() -> None:
    emitter = Emitter()
    gc.disable()
    try:
        none_before, true_before = sys.getrefcount(None), sys.getrefcount(True)
        for _ in range(CALLS):
            emitter.setObjectName("counted")
            emitter.ping.emit()
        lost_none = none_before - sys.getrefcount(None)
        lost_true = true_before - sys.getrefcount(True)
    finally:
        gc.enable()
    miscounts = lost_none >= CALLS * 9 // 10 or lost_true >= CALLS * 9 // 10
    assert binding_miscounts() == miscounts


def test_with_the_guard_more_calls_than_references_leave_the_process_alive() -> None:
    done = drain("guarded")
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "alive"


def test_without_the_guard_a_miscounting_binding_kills_the_process() -> None:
    done = drain("unguarded")
    if binding_miscounts() and sys.version_info < (3, 12):
        assert done.returncode != 0  # what the window met: the reason for the guard
        assert "deallocating" in done.stderr
    else:  # a sound binding (or an immortal None): nothing to guard against
        assert done.returncode == 0, done.stderr[-2000:]
        assert done.stdout.strip() == "alive"
