"""A guard against a defect of the Qt binding that kills the window at random.

PySide6-Essentials 6.12.0 hands Python the `None` returned by every void method (`setText`,
`setEnabled`, `deleteLater`, `processEvents`, an invalid `QModelIndex.data()` …) and the `True`
returned by `Signal.emit` without taking a reference for it. On Python 3.12 and later those
objects are immortal and nothing happens. On Python 3.11 their reference counts drift down by one
a call, a few thousand calls a second when the window is busy, until the interpreter frees `None`
or `True` and dies ("Fatal Python error: none_dealloc", or a segmentation fault) seconds after a
trade, a replay or a mouse move over a chart. The commands already recorded are safe (each is
committed before the window hears of it); the window just vanishes.

`keep_singletons_alive` makes those objects as good as immortal, as Python 3.12 does: it adds a
count no run of the window can use up. The real cure is another PySide6 version
(`pip install "PySide6-Essentials!=6.12.0"`); this keeps people who have 6.12.0 safe.
"""

from __future__ import annotations

import ctypes
import gc
import sys

#: Added to the reference count of None, True and False: 2**48 calls, centuries of clicking.
HEADROOM = 1 << 48

_PROBES = 64


def binding_miscounts() -> bool:
    """Whether the binding drops a reference to None (void calls) or True (`emit`) per call."""
    from PySide6.QtCore import QObject, Signal

    class _Probe(QObject):
        ping = Signal()

    probe = _Probe()
    enabled = gc.isenabled()
    gc.disable()  # a collection in the middle would move the counts for other reasons
    try:
        none_before, true_before = sys.getrefcount(None), sys.getrefcount(True)
        for _ in range(_PROBES):
            probe.setObjectName("probe")  # a void method: returns None
            probe.ping.emit()  # returns True
        lost_none = none_before - sys.getrefcount(None)
        lost_true = true_before - sys.getrefcount(True)
    finally:
        if enabled:
            gc.enable()
    return lost_none >= _PROBES // 2 or lost_true >= _PROBES // 2


def keep_singletons_alive() -> bool:
    """On Python < 3.12 with a miscounting binding, make None, True and False as good as
    immortal; returns whether it had to. Call it once, before the window starts its threads."""
    if sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return False  # immortal already (or not reference counted like this)
    if not binding_miscounts():
        return False
    for singleton in (None, True, False):
        if sys.getrefcount(singleton) < HEADROOM:  # once is enough
            count = ctypes.c_ssize_t.from_address(id(singleton))  # CPython: ob_refcnt first
            count.value += HEADROOM
    return True


def warning() -> str:
    """What to tell a person whose binding needed the guard."""
    from PySide6 import __version__ as pyside_version

    return (
        f"erasmo: PySide6 {pyside_version} miscounts references to None and True, which would "
        "crash the window at random on this Python; erasmo works around it. To remove the "
        "cause, install another version: pip install 'PySide6-Essentials!=6.12.0'"
    )
