"""Rows of a broker's file -> `Intent`s: what to record, checked as values, each with the file,
line and columns it came from, and a stable hash that recognises it in a later import."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from erasmo.importers.activity import activity_rows, is_activity_statement
from erasmo.importers.cells import parse_day, parse_number, where
from erasmo.importers.presets import KINDS, SIGNED, Preset
from erasmo.importers.table import ImportFileError, Row, Table, rows_under
from events.errors import InvalidInputError
from events.values import parse_fee, parse_money, parse_price, parse_quantity, parse_ticker

ZERO = Decimal(0)
_PRICE_STEP = Decimal("0.000001")


@dataclass(frozen=True, slots=True)
class Intent:
    """One row to record.

    Attributes:
        kind: buy, sell, deposit, withdrawal, dividend or split.
        day: the market date.
        file, line: where it came from.
        row_hash: 16 hex digits of SHA-256 over the row's cells and its rank among identical
            rows of the file: the same row of the same export always has the same hash.
        columns: erasmo's field -> the file's column it was read from (for refusals).
        ticker, quantity, price, fee: a trade's (price is the file's, fee zero when absent).
        amount: the cash of a deposit, withdrawal or dividend (the dividend's total).
        per_share: a dividend's amount per share, when the file gives it.
        ratio: a split's new shares per old share, or None when `added` is given instead.
        added: the shares a split added (Schwab), from which the ratio follows.
    """

    kind: str
    day: date
    file: str
    line: int
    row_hash: str
    columns: dict[str, str] = field(default_factory=dict)
    ticker: str | None = None
    quantity: Decimal | None = None
    price: Decimal | None = None
    fee: Decimal = ZERO
    amount: Decimal | None = None
    per_share: Decimal | None = None
    ratio: Decimal | None = None
    added: Decimal | None = None

    def place(self, name: str) -> str:
        """Where the field `name` of this row is: "file.csv, line 14, column Price"."""
        column = self.columns.get(name)
        if column is None:
            return f"{self.file}, line {self.line}"
        return where(self.file, self.line, column)


@dataclass(frozen=True, slots=True)
class ImportPlan:
    """A file read into intents, in the order to record them (by date, file order within a
    day; a file written newest first is read from its end).

    Attributes:
        intents: the rows to record.
        skipped: (line, type word) of the rows left out (kinds erasmo does not import).
        encoding, separator: how the file was read.
    """

    file: str
    intents: tuple[Intent, ...]
    skipped: tuple[tuple[int, str], ...]
    encoding: str
    separator: str


def intents_of(
    table: Table, preset: Preset, decimal_mark: str | None = None, skip_other: bool = False
) -> ImportPlan:
    """Every data row of `table` as an intent, or `ImportFileError` at the first bad cell."""
    if preset.name == "ibkr" and is_activity_statement(table):
        rows = activity_rows(table)
    else:
        rows = _rows(table, preset)
    identical: Counter[str] = Counter()
    intents: list[Intent] = []
    skipped: list[tuple[int, str]] = []
    for row in rows:
        content = "\x1f".join(f"{k}={v}" for k, v in row.cells.items())
        identical[content] += 1
        digest = hashlib.sha256(f"{content}\x1e{identical[content]}".encode()).hexdigest()[:16]
        reader = _RowReader(table.name, row, preset, decimal_mark, digest)
        intent = reader.intent()
        if intent is None:
            if not skip_other:
                raise ImportFileError(reader.unknown_kind())
            skipped.append((row.line, reader.type_word()))
            continue
        intents.append(intent)
    if len(intents) > 1 and intents[0].day > intents[-1].day:
        intents.reverse()
    intents.sort(key=lambda i: i.day)
    return ImportPlan(table.name, tuple(intents), tuple(skipped), table.encoding, table.separator)


def _rows(table: Table, preset: Preset) -> list[Row]:
    """The rows under the first line that has a date column (a title above it is skipped)."""
    dates = preset.columns["date"]
    for index, (_line, record) in enumerate(table.lines):
        if any(name in record for name in dates):
            rows = rows_under(table, index, record, notes_after=preset.notes_after)
            return [r for r in rows if not _is_total(r, preset)]
    raise ImportFileError(
        f"{table.name}: no header line with a {' or '.join(repr(d) for d in dates)} column; "
        f"is this a {preset.name} file? Give --format or --map date=COLUMN,..."
    )


def _is_total(row: Row, preset: Preset) -> bool:
    first = next(iter(row.cells.values()), "")
    return first.lower().startswith(("transactions total", "total"))


class _RowReader:
    """Reads the fields of one row by the preset's column names."""

    def __init__(
        self, file: str, row: Row, preset: Preset, decimal_mark: str | None, digest: str
    ) -> None:
        self.file, self.row, self.preset = file, row, preset
        self.decimal_mark, self.digest = decimal_mark, digest
        self.columns = {
            name: next((c for c in names if c in row.cells), names[0])
            for name, names in preset.columns.items()
        }

    def place(self, name: str) -> str:
        return where(self.file, self.row.line, self.columns.get(name, name))

    def cell(self, name: str) -> str:
        column = self.columns.get(name)
        return self.row.cells.get(column, "") if column else ""

    def type_word(self) -> str:
        return self.cell("type")

    def unknown_kind(self) -> str:
        return (
            f"{self.place('type')}: {self.type_word()!r} is not a kind of row erasmo imports "
            f"({', '.join(KINDS)}); remove the line, or give --skip-other to leave such rows "
            "out."
        )

    def number(self, name: str, *, required: bool = True) -> Decimal | None:
        text = self.cell(name)
        if not text:
            if required:
                raise ImportFileError(f"{self.place(name)}: the cell is empty; give a number.")
            return None
        return parse_number(text, self.place(name), self.decimal_mark)

    def checked(self, name: str, parse: Callable[[object], Decimal], value: Decimal) -> Decimal:
        try:
            return parse(value)
        except InvalidInputError as error:
            raise ImportFileError(f"{self.place(name)}: {error}") from None

    def intent(self) -> Intent | None:
        kind = self.preset.kind_of(self.type_word())
        if kind is None and self.preset.signs == SIGNED and not self.cell("type"):
            kind = "trade"
        if kind is None:
            return None
        signed = self.preset.signs == SIGNED
        if kind == "trade":
            kind = "sell" if (self.number("quantity") or ZERO) < 0 else "buy"
        elif kind == "cash":
            kind = "withdrawal" if (self.number("amount") or ZERO) < 0 else "deposit"
        day = parse_day(self.cell("date"), self.place("date"), self.preset.date_formats)
        base = Intent(kind, day, self.file, self.row.line, self.digest, self.columns)
        if kind in ("buy", "sell"):
            return self._trade(base, signed)
        if kind in ("deposit", "withdrawal"):
            return _with(base, amount=self.money("amount", signed))
        if kind == "dividend":
            return self._dividend(base, signed)
        return self._split(base, signed)

    def money(self, name: str, signed: bool) -> Decimal:
        value = self.number(name) or ZERO
        return self.checked(name, parse_money, abs(value) if signed else value)

    def ticker(self) -> str:
        try:
            return parse_ticker(self.cell("ticker"))
        except InvalidInputError as error:
            raise ImportFileError(f"{self.place('ticker')}: {error}") from None

    def _fee(self, signed: bool) -> Decimal:
        fee = (self.number("fee", required=False) or ZERO) + (
            self.number("taxes", required=False) or ZERO
        )
        return self.checked("fee", parse_fee, abs(fee) if signed else fee)

    def _trade(self, base: Intent, signed: bool) -> Intent:
        raw = self.number("quantity") or ZERO
        quantity = self.checked("quantity", parse_quantity, abs(raw) if signed else raw)
        fee = self._fee(signed)
        if self.preset.value_only:
            value = self.money("amount", signed=True)
            gross = value - fee if base.kind == "buy" else value + fee
            price = (gross / quantity).quantize(_PRICE_STEP, rounding=ROUND_HALF_UP)
            price = self.checked("amount", parse_price, _trimmed(price))
        else:
            price = self.checked("price", parse_price, self.number("price") or ZERO)
        return _with(base, ticker=self.ticker(), quantity=quantity, price=price, fee=fee)

    def _dividend(self, base: Intent, signed: bool) -> Intent:
        amount = self.money("amount", signed)
        if self.preset.value_only:  # Portfolio Performance's value is net of taxes
            amount += abs(self.number("taxes", required=False) or ZERO)
        per_share = self.number("per_share", required=False)
        if per_share is not None:
            per_share = self.checked("per_share", parse_price, per_share)
        return _with(base, ticker=self.ticker(), amount=amount, per_share=per_share)

    def _split(self, base: Intent, signed: bool) -> Intent:
        if self.preset.value_only and (self.number("amount", required=False) or ZERO) != 0:
            raise ImportFileError(
                f"{self.place('amount')}: a delivery of shares with a value is a transfer in, "
                "which erasmo cannot record (only one at no value, a split, is read); record it "
                "as a buy, or remove the line."
            )
        if self.preset.split_adds_shares:
            added = self.checked("quantity", parse_quantity, abs(self.number("quantity") or ZERO))
            return _with(base, ticker=self.ticker(), added=added)
        ratio = self.checked("ratio", parse_quantity, self.number("ratio") or ZERO)
        return _with(base, ticker=self.ticker(), ratio=ratio)


def _trimmed(value: Decimal) -> Decimal:
    """197.500000 -> 197.50: no more places than a price needs, and at least a cent's."""
    trimmed = value.normalize()
    exponent = trimmed.as_tuple().exponent
    assert isinstance(exponent, int)
    return trimmed if exponent < -2 else value.quantize(Decimal("0.01"))


def _with(base: Intent, **values: object) -> Intent:
    from dataclasses import replace

    return replace(base, **values)  # type: ignore[arg-type]
