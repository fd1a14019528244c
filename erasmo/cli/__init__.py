"""The `erasmo` command line.

Before any command module imports `events`, make sure that `events` and `gui` are erasmo's own
packages and not same-named ones of another distribution (see `erasmo.own_packages`).
"""

import sys

from erasmo.own_packages import foreign_package

if (_problem := foreign_package()) is not None:
    print(_problem, file=sys.stderr)
    raise SystemExit(1)
