"""What every command module shares: the lazily built erasmo each command runs against.

Command modules import this module and `erasmo.cli.output`, never `erasmo.cli.main`, which
assembles them into the `erasmo` command.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from erasmo.bootstrap import Erasmo
    from erasmo.door import FrontDoor


class Context:
    """Lazily built erasmo: `--help` and usage errors never open the store."""

    def __init__(self, data_dir: str | None, store: str | None, offline: bool = False) -> None:
        self.data_dir = data_dir
        self.store = store
        self.offline = offline
        self._erasmo: Erasmo | None = None

    @property
    def erasmo(self) -> Erasmo:
        if self._erasmo is None:
            from erasmo.bootstrap import bootstrap

            self._erasmo = bootstrap(self.data_dir, self.store, offline=self.offline)
        return self._erasmo

    @property
    def door(self) -> FrontDoor:
        """The front door every command goes through, by portfolio id."""
        return self.erasmo.door

    def close(self) -> None:
        if self._erasmo is not None:
            self._erasmo.close()


pass_ctx = click.make_pass_decorator(Context)


#: "-3" reaches the argument (and its "must be greater than zero" message), not option parsing.
NUMBERS_MAY_BE_NEGATIVE = {"ignore_unknown_options": True}
