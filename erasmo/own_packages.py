"""erasmo installs three top-level packages, `erasmo`, `events` and `gui`; the last two have
generic names that another distribution may also use. `foreign_package()` finds out, before
anything imports them, whether `events` and `gui` are erasmo's own, so a clash is reported in one
sentence instead of as a confusing ImportError later.
"""

from __future__ import annotations

import importlib
import importlib.util
from pathlib import Path

#: The top-level packages installed beside `erasmo`.
SIBLINGS = ("events", "gui")
#: The attribute `events/__init__.py` carries, so that a same-named package of another
#: distribution written over it in the same place is told apart too.
MARKER = "ERASMO_PACKAGE"
ADVICE = "install erasmo in an environment of its own: pipx install erasmo"


def foreign_package() -> str | None:
    """A one-line explanation if `events` or `gui` is not erasmo's own package, else None."""
    home = Path(__file__).resolve().parent.parent
    for name in SIBLINGS:
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            spec = None
        if spec is None or spec.origin is None:
            return (
                f"erasmo: its package {name!r} is missing (expected in {home / name}); reinstall "
                f"erasmo, or {ADVICE}."
            )
        found = Path(spec.origin).resolve().parent
        if found != home / name:
            return (
                f"erasmo: the package {name!r} at {found} is not erasmo's own (which is in "
                f"{home / name}): another distribution uses the same name; {ADVICE}."
            )
    try:
        marked = getattr(importlib.import_module("events"), MARKER, None) == "events"
    except Exception:  # another distribution's events, failing as it loads
        marked = False
    if not marked:
        return (
            f"erasmo: the package 'events' in {home / 'events'} is not erasmo's own: another "
            f"distribution installed one of the same name over it; {ADVICE}."
        )
    return None
