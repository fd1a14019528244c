"""erasmo in a notebook: a portfolio's holdings, value and performance as pandas tables.

Run it as a script (`python docs/notebook.py [DATA_DIR]`) or cell by cell in Jupyter. With no
DATA_DIR it builds a small example in a temporary directory first: a portfolio "Tech" imported
from a broker's CSV (the same commands as `erasmo portfolio open` and `erasmo import-trades`).
"""

# %%
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import erasmo
from erasmo.importers import intents_of, preset_for, read_table

SAMPLE = Path(__file__).parent.parent / "tests" / "fixtures" / "csv" / "generic_bom.csv"


def example_book(data_dir: Path) -> None:
    """A store with "Tech": a deposit, three trades and a dividend of 2012 (written through the
    front door of a writable book)."""
    with erasmo.open(data_dir, writable=True) as book:
        door = book.door
        tech = door.open_portfolio("Tech", on="2012-03-01")
        plan = intents_of(read_table(SAMPLE), preset_for("generic"))
        door.record_batch(tech.id, plan.intents)


def main(data_dir: Path) -> dict[str, object]:
    """Print the tables and return the figures (the tests compare them with the CLI's)."""
    # %% open the book: read-only by default
    book = erasmo.open(data_dir)
    print(book.portfolios()[["name", "status", "opened_on", "cash"]])

    # %% holdings now, and as of a date
    tech = book.portfolio("Tech")
    holdings = tech.holdings()
    print(holdings[["quantity", "average_cost", "last_price", "market_value", "weight"]])
    print(tech.holdings(as_of="2012-03-13")[["quantity", "market_value"]])

    # %% the daily value and the performance of 2012
    value = tech.value()
    print(value.loc["2012-12-24":"2012-12-31"])
    performance = tech.performance("2012-03-01", "2012-12-31")
    print(performance)

    # %% what was recorded
    trades = tech.trades()
    print(trades[["date", "kind", "ticker", "quantity", "price", "cash"]])
    print(f"cash from the trades table: {trades['cash'].sum():,.2f}")
    figures: dict[str, object] = {
        "quantities": holdings["quantity"].to_dict(),
        "market_value": holdings["market_value"].to_dict(),
        "cash": float(value["cash"].iloc[-1]),
        "total": float(value["total"].iloc[-1]),
        "ttwror": float(performance["ttwror"]),
        "irr": float(performance["irr"]),
        "end_value": float(performance["end_value"]),
    }
    book.close()
    return figures


if __name__ == "__main__":
    if len(sys.argv) > 1:
        main(Path(sys.argv[1]))
    else:
        with tempfile.TemporaryDirectory() as folder:
            example_book(Path(folder))
            main(Path(folder))
