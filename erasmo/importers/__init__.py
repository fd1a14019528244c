"""Broker CSV files read into import intents: pure parsing, no store and no market.

`read_table` decodes a file (UTF-8 with or without BOM, else Latin-1) and finds its separator;
a `Preset` (`erasmo.importers.presets`) names the columns of one broker's export; `intents_of`
turns every row into an `Intent` (a buy, sell, deposit, withdrawal, dividend or split) or
refuses the file with an `ImportFileError` naming file, line and column. Recording the
intents, all or nothing, is the front door's job (`FrontDoor.record_batch`).
"""

from erasmo.importers.intents import Intent, intents_of
from erasmo.importers.presets import PRESETS, Preset, preset_for
from erasmo.importers.table import ImportFileError, Table, read_table

__all__ = [
    "PRESETS",
    "ImportFileError",
    "Intent",
    "Preset",
    "Table",
    "intents_of",
    "preset_for",
    "read_table",
]
