"""The journal tests share the hand-written market of the erasmo tests (tests/erasmo)."""

from __future__ import annotations

import sys
from pathlib import Path

_ERASMO_TESTS = str(Path(__file__).resolve().parent.parent)
if _ERASMO_TESTS not in sys.path:
    sys.path.insert(0, _ERASMO_TESTS)
