"""The column names and words of the exports erasmo reads: one `Preset` per broker format.

A preset maps erasmo's fields (date, type, ticker, quantity, price, fee, amount, ratio,
per_share, taxes) to the file's column names (a field may have several names: the first one
the header has is used) and the file's words for the kind of each row to erasmo's kinds:
buy, sell, deposit, withdrawal, dividend, split. A row of a kind not listed is refused, or
skipped when the user asks to skip them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from events.errors import InvalidInputError

FIELDS = (
    "date",
    "type",
    "ticker",
    "quantity",
    "price",
    "fee",
    "amount",
    "ratio",
    "per_share",
    "taxes",
)
KINDS = ("buy", "sell", "deposit", "withdrawal", "dividend", "split")

#: How the quantity, the fee and the amount of a row are signed in a format.
#   "plain": quantities and fees positive, the type says the side.
#   "signed": a negative quantity is a sale, fees are negative (IBKR), a negative cash amount
#   is a withdrawal (Schwab's transfers).
SIGNED = "signed"
PLAIN = "plain"


@dataclass(frozen=True, slots=True)
class Preset:
    """One export format.

    Attributes:
        name: what `--format` calls it.
        columns: field -> the column names it may have, in order of preference.
        kinds: the file's word for a row's type (lower case) -> erasmo's kind.
        date_formats: strptime formats tried in order (a time after the date is dropped).
        signs: PLAIN or SIGNED (see above).
        value_only: the format has a row's total value but no price (Portfolio Performance):
            the price is (value - fees) / shares for a buy, (value + fees) / shares for a sale.
        split_adds_shares: a split row gives the shares added, not the ratio (Schwab).
        kinds_by_prefix: the type cell starts with the word and goes on with the security's
            name ("YOU BOUGHT INTL BUSINESS MACHINES (IBM) (Cash)": Fidelity).
        notes_after: the rows end at the first line of a single cell (the notes and disclaimer
            a Fidelity export ends with are not rows).
        description: one line for --help and the README.
    """

    name: str
    columns: dict[str, tuple[str, ...]]
    kinds: dict[str, str]
    date_formats: tuple[str, ...] = ("%Y-%m-%d", "%Y%m%d", "%d.%m.%Y")
    signs: str = PLAIN
    value_only: bool = False
    split_adds_shares: bool = False
    kinds_by_prefix: bool = False
    notes_after: bool = False
    description: str = ""

    def kind_of(self, word: str) -> str | None:
        """erasmo's kind of a row whose type cell is `word` (None: a kind not imported)."""
        key = " ".join(word.lower().split())
        if key in self.kinds or not self.kinds_by_prefix:
            return self.kinds.get(key)
        return next((kind for start, kind in self.kinds.items() if key.startswith(start)), None)

    def with_map(self, mapping: dict[str, str]) -> Preset:
        """This preset with some fields read from other columns (`--map date=Date,...`)."""
        columns = dict(self.columns)
        for name, column in mapping.items():
            columns[name] = (column,)
        return replace(self, columns=columns)

    def with_date_format(self, fmt: str) -> Preset:
        return replace(self, date_formats=(fmt,))


_COMMON_KINDS = {
    "buy": "buy",
    "bought": "buy",
    "b": "buy",
    "sell": "sell",
    "sold": "sell",
    "s": "sell",
    "deposit": "deposit",
    "withdrawal": "withdrawal",
    "withdraw": "withdrawal",
    "dividend": "dividend",
    "split": "split",
}

GENERIC = Preset(
    name="generic",
    columns={
        "date": ("Date",),
        "type": ("Type", "Side", "Action"),
        "ticker": ("Ticker", "Symbol"),
        "quantity": ("Quantity", "Shares"),
        "price": ("Price",),
        "fee": ("Fee", "Fees", "Commission"),
        "amount": ("Amount",),
        "ratio": ("Ratio",),
        "per_share": ("Per Share",),
    },
    kinds=_COMMON_KINDS,
    description="any CSV: name its columns with --map (defaults: Date, Type, Ticker, ...)",
)

IBKR = Preset(
    name="ibkr",
    columns={
        "date": ("TradeDate", "Date/Time", "Date", "Settle Date"),
        "type": ("Buy/Sell", "Section"),
        "ticker": ("Symbol",),
        "quantity": ("Quantity",),
        "price": ("TradePrice", "T. Price"),
        "fee": ("IBCommission", "Comm/Fee"),
        "amount": ("Amount",),
        "per_share": ("Per Share",),
    },
    kinds={
        "buy": "buy",
        "sell": "sell",
        "trades": "trade",  # an activity statement's Trades section: the quantity's sign
        "deposits & withdrawals": "cash",  # the amount's sign says which
        "dividends": "dividend",
    },
    signs=SIGNED,
    description="Interactive Brokers: a Flex query's trades CSV or an activity statement CSV",
)

SCHWAB = Preset(
    name="schwab",
    columns={
        "date": ("Date",),
        "type": ("Action",),
        "ticker": ("Symbol",),
        "quantity": ("Quantity",),
        "price": ("Price",),
        "fee": ("Fees & Comm",),
        "amount": ("Amount",),
    },
    kinds={
        "buy": "buy",
        "sell": "sell",
        "cash dividend": "dividend",
        "qualified dividend": "dividend",
        "non-qualified div": "dividend",
        "moneylink transfer": "cash",
        "journal": "cash",
        "stock split": "split",
    },
    date_formats=("%m/%d/%Y",),
    signs=SIGNED,
    split_adds_shares=True,
    description="Charles Schwab: the brokerage account's transaction history CSV",
)

PP = Preset(
    name="pp",
    columns={
        "date": ("Date", "Datum"),
        "type": ("Type", "Typ"),
        "ticker": ("Ticker Symbol", "Ticker-Symbol", "Symbol"),
        "quantity": ("Shares", "Stück"),
        "amount": ("Value", "Wert"),
        "fee": ("Fees", "Gebühren"),
        "taxes": ("Taxes", "Steuern"),
    },
    kinds={
        "buy": "buy",
        "kauf": "buy",
        "sell": "sell",
        "verkauf": "sell",
        "deposit": "deposit",
        "einlage": "deposit",
        "removal": "withdrawal",
        "entnahme": "withdrawal",
        "dividend": "dividend",
        "dividende": "dividend",
        "delivery (inbound)": "split",  # erasmo's own export writes a split so
        "einlieferung": "split",
    },
    date_formats=("%Y-%m-%d", "%d.%m.%Y"),
    value_only=True,
    split_adds_shares=True,
    description="Portfolio Performance: its CSV export of portfolio and account transactions",
)

FIDELITY = Preset(
    name="fidelity",
    columns={
        "date": ("Run Date", "Date"),
        "type": ("Action",),
        "ticker": ("Symbol",),
        "quantity": ("Quantity",),
        "price": ("Price ($)", "Price"),
        "fee": ("Commission ($)", "Commission"),
        "taxes": ("Fees ($)", "Fees"),  # Fidelity's other fees: added to the commission
        "amount": ("Amount ($)", "Amount"),
    },
    kinds={
        "you bought": "buy",
        "reinvestment": "buy",
        "you sold": "sell",
        "dividend received": "dividend",
        "electronic funds transfer received": "deposit",
        "electronic funds transfer paid": "withdrawal",
        "transfer of assets acct to acct": "cash",
        "distribution": "split",  # a split's new shares, delivered as a distribution
    },
    date_formats=("%m/%d/%Y",),
    signs=SIGNED,
    split_adds_shares=True,
    kinds_by_prefix=True,
    notes_after=True,
    description="Fidelity: the brokerage account's history CSV (Accounts_History.csv)",
)

PRESETS = {p.name: p for p in (GENERIC, IBKR, SCHWAB, FIDELITY, PP)}


def preset_for(name: str) -> Preset:
    """The preset called `name` (generic, ibkr, schwab, fidelity, pp)."""
    try:
        return PRESETS[name.strip().lower()]
    except KeyError:
        raise InvalidInputError(
            f"No import format {name!r}; use one of {', '.join(PRESETS)}."
        ) from None


def parse_map(text: str) -> dict[str, str]:
    """`date=Date,ticker=Symbol` -> {"date": "Date", "ticker": "Symbol"} ("side" is "type")."""
    mapping: dict[str, str] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, sep, column = part.partition("=")
        name = "type" if name.strip().lower() == "side" else name.strip().lower()
        if not sep or not column.strip() or name not in FIELDS:
            raise InvalidInputError(
                f"--map {part!r} is not FIELD=COLUMN with FIELD one of {', '.join(FIELDS)} "
                "(or side); write it like date=Date,ticker=Symbol."
            )
        mapping[name] = column.strip()
    return mapping
