"""The parsed bundled closes kept in the data directory: equal to parsing, and parsed again when
a file changes or the stored copy is damaged."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from erasmo.market.bundled import BOKEH, INDEX_FILE, BundledMarketData
from erasmo.market.frames import close_frame, closes_key, stored_close_frame

PRICES = Path(__file__).resolve().parents[2] / "resources" / "prices"


@pytest.fixture
def prices(tmp_path: Path) -> Path:
    """A copy of the bundled price files that a test may change."""
    return Path(shutil.copytree(PRICES, tmp_path / "prices"))


def test_the_stored_copy_equals_parsing_exactly(prices: Path, tmp_path: Path) -> None:
    parsed = close_frame(BundledMarketData(directory=prices))
    first = stored_close_frame(BundledMarketData(directory=prices), tmp_path / "cache")
    assert [p.name for p in (tmp_path / "cache").iterdir()] == [
        f"closes-{closes_key(BundledMarketData(directory=prices))}.npz"
    ]
    again = stored_close_frame(BundledMarketData(directory=prices), tmp_path / "cache")
    for frame in (first, again):
        pd.testing.assert_frame_equal(frame, parsed, check_exact=True, check_freq=True)
        assert frame.index.dtype == parsed.index.dtype
        assert frame.columns.dtype == parsed.columns.dtype
        assert (frame.index.name, frame.columns.name) == ("date", "ticker")
    # the last line of the index file reads "2022-12-28,3783.22"
    assert again.at[pd.Timestamp(2022, 12, 28), "^GSPC"] == 3783.22
    assert again.shape == (8313, 24)


def test_the_stored_copy_is_what_is_read(prices: Path, tmp_path: Path) -> None:
    market = BundledMarketData(directory=prices)
    path = tmp_path / "cache" / f"closes-{closes_key(market)}.npz"
    stored_close_frame(market, tmp_path / "cache")
    with np.load(path) as data:
        closes, days, tickers = data["closes"].copy(), data["days"], data["tickers"]
        closes[-1, list(tickers).index("^GSPC")] = 1234.5
        np.savez(path, closes=closes, days=days, tickers=tickers)
    frame = stored_close_frame(BundledMarketData(directory=prices), tmp_path / "cache")
    assert frame["^GSPC"].iloc[-1] == 1234.5


def test_a_changed_file_is_parsed_again(prices: Path, tmp_path: Path) -> None:
    old = closes_key(BundledMarketData(directory=prices))
    stored_close_frame(BundledMarketData(directory=prices), tmp_path / "cache")
    text = gzip.decompress((prices / INDEX_FILE).read_bytes()).decode()
    lines = text.splitlines()
    day = lines[-1].split(",")[0]
    lines[-1] = f"{day},4000.5"
    (prices / INDEX_FILE).write_bytes(gzip.compress(("\n".join(lines) + "\n").encode()))
    market = BundledMarketData(directory=prices)
    assert closes_key(market) != old
    frame = stored_close_frame(market, tmp_path / "cache")
    assert frame.at[pd.Timestamp(day), "^GSPC"] == 4000.5
    assert [p.name for p in (tmp_path / "cache").iterdir()] == [f"closes-{closes_key(market)}.npz"]


def test_each_source_has_its_own_copy(prices: Path, tmp_path: Path) -> None:
    merged = stored_close_frame(BundledMarketData(directory=prices), tmp_path / "a")
    raw = stored_close_frame(BundledMarketData(BOKEH, directory=prices), tmp_path / "a")
    assert merged.at[pd.Timestamp(2005, 2, 25), "AAPL"] != 88.99  # skfolio's adjusted close
    assert raw.at[pd.Timestamp(2005, 2, 25), "AAPL"] == 88.99  # bokeh's raw close
    again = stored_close_frame(BundledMarketData(BOKEH, directory=prices), tmp_path / "a")
    pd.testing.assert_frame_equal(again, raw, check_exact=True)


def test_a_damaged_copy_is_parsed_again(prices: Path, tmp_path: Path) -> None:
    market = BundledMarketData(directory=prices)
    path = tmp_path / "cache" / f"closes-{closes_key(market)}.npz"
    path.parent.mkdir()
    path.write_bytes(b"PK\x03\x04 not a zip")
    frame = stored_close_frame(market, tmp_path / "cache")
    pd.testing.assert_frame_equal(frame, close_frame(BundledMarketData(directory=prices)))
    with np.load(path) as data:  # and rewritten whole
        assert data["closes"].shape == (8313, 24)


def test_a_folder_erasmo_cannot_write_only_costs_the_parsing(prices: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder would be")
    frame = stored_close_frame(BundledMarketData(directory=prices), blocker / "cache")
    pd.testing.assert_frame_equal(frame, close_frame(BundledMarketData(directory=prices)))
    assert blocker.read_text() == "a file where the cache folder would be"


@pytest.mark.parametrize(
    "arrays",
    [
        {"closes": np.zeros((2, 1)), "days": np.array([1.0, 2.0]), "tickers": np.array(["KO"])},
        {"closes": np.zeros((3, 1)), "days": np.array(["2020-01-02"], "M8[D]"), "tickers": ["KO"]},
        {"closes": np.zeros((1, 1)), "days": np.array(["2020-01-02"], "M8[D]")},
    ],
    ids=["days-not-dates", "lengths-differ", "no-tickers"],
)
def test_a_copy_out_of_shape_is_parsed_again(
    prices: Path, tmp_path: Path, arrays: dict[str, object]
) -> None:
    market = BundledMarketData(directory=prices)
    path = tmp_path / f"closes-{closes_key(market)}.npz"
    np.savez(path, **arrays)  # type: ignore[arg-type]
    frame = stored_close_frame(market, tmp_path)
    assert frame.shape == (8313, 24)
    assert frame.at[pd.Timestamp(2022, 12, 28), "^GSPC"] == 3783.22
