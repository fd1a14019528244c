"""The front door of erasmo: one facade for the CLI, the GUI and the sync server, by portfolio
id, returning frozen read models (`erasmo.door.models`); see `erasmo.door.door`."""

from erasmo.door.door import FrontDoor

__all__ = ["FrontDoor"]
