"""Reading a CSV file as people's brokers write it: any of the usual encodings and separators,
with every row kept with its line number in the file (for refusals that point at it)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from events.errors import InvalidInputError

SEPARATORS = ",;\t|"


class ImportFileError(InvalidInputError):
    """A file to import cannot be read, or one of its cells cannot be understood; the message
    names the file, the line and the column."""


@dataclass(frozen=True, slots=True)
class Row:
    """One data row of a table.

    Attributes:
        line: its line number in the file (1 is the first line).
        cells: column name -> cell text, stripped.
    """

    line: int
    cells: dict[str, str]


@dataclass(frozen=True, slots=True)
class Table:
    """A decoded CSV file.

    Attributes:
        name: the file's name, as refusals quote it.
        encoding: the encoding it was read with ("utf-8-sig", "utf-8" or "latin-1").
        separator: the separator found.
        lines: every record of the file as cells, with its line number (header included).
    """

    name: str
    encoding: str
    separator: str
    lines: tuple[tuple[int, tuple[str, ...]], ...]


def decode(data: bytes) -> tuple[str, str]:
    """The text of a file and the encoding it was read with: UTF-8 (its BOM dropped), or
    Latin-1 when the bytes are not UTF-8 (every byte is a Latin-1 character)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def sniff_separator(text: str) -> str:
    """The separator of the first non-empty line: the one of `SEPARATORS` found most often
    outside quotes (a comma when none is)."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = dict.fromkeys(SEPARATORS, 0)
    quoted = False
    for char in first:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(SEPARATORS, key=lambda s: counts[s])
    return best if counts[best] else ","


def read_table(path: Path, separator: str | None = None) -> Table:
    """Read `path` whole (nothing is imported from a file that cannot be read whole)."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ImportFileError(
            f"{path.name}: cannot read the file ({error.strerror or error}); check the path."
        ) from None
    text, encoding = decode(data)
    sep = separator or sniff_separator(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    lines: list[tuple[int, tuple[str, ...]]] = []
    line = 1
    try:
        for record in reader:
            if any(cell.strip() for cell in record):
                lines.append((line, tuple(cell.strip() for cell in record)))
            line = reader.line_num + 1
    except csv.Error as error:
        raise ImportFileError(f"{path.name}, line {line}: {error}; fix the quoting.") from None
    if not lines:
        raise ImportFileError(f"{path.name}: the file is empty; nothing to import.")
    return Table(path.name, encoding, sep, tuple(lines))


def rows_under(
    table: Table,
    header_at: int,
    header: tuple[str, ...],
    prefix: int = 0,
    *,
    notes_after: bool = False,
) -> list[Row]:
    """The rows after the header at index `header_at` of `table.lines` that have its width,
    as name -> cell (the first `prefix` cells of each record are left out). With
    `notes_after`, the rows end at the first record of one cell (notes under the table)."""
    names = header[prefix:]
    rows = []
    for line, record in table.lines[header_at + 1 :]:
        if notes_after and len(record) == 1 and len(names) > 1:
            break
        cells = record[prefix:]
        if len(cells) != len(names):
            raise ImportFileError(
                f"{table.name}, line {line}: {len(cells)} cells where the header has "
                f"{len(names)}; check the separator ({table.separator!r}) and the quoting."
            )
        rows.append(Row(line, dict(zip(names, cells, strict=True))))
    return rows
