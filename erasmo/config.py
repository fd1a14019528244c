"""Where erasmo keeps its data, and which event store it uses.

`--data-dir DIR` or `ERASMO_HOME`, else the platform's user data directory. The event store is
the SQLite file `events.sqlite` there, unless `--store URL` or `ERASMO_STORE` names another.
`--offline` or `ERASMO_OFFLINE=1` forbids the network (live prices from Yahoo).
"""

from __future__ import annotations

import os
from pathlib import Path

from events.store import StoreConfig

STORE_FILE = "events.sqlite"
#: Where yfinance keeps its own caches, inside the data directory.
YFINANCE_DIR = "yfinance"
_TRUE = ("1", "true", "yes", "on")


def resolve_data_dir(explicit: str | Path | None = None) -> Path:
    """The data directory: explicit, else $ERASMO_HOME, else the user data directory."""
    if explicit:
        return Path(explicit).expanduser()
    env = os.environ.get("ERASMO_HOME")
    if env:
        return Path(env).expanduser()
    import platformdirs  # only needed without an explicit directory

    return Path(platformdirs.user_data_dir("erasmo", appauthor=False))


def resolve_store(data_dir: Path, url: str | None = None) -> StoreConfig:
    """The event store: explicit URL, else $ERASMO_STORE, else the SQLite file in `data_dir`."""
    url = url or os.environ.get("ERASMO_STORE") or None
    if url:
        return StoreConfig.from_url(url)
    return StoreConfig.sqlite(data_dir / STORE_FILE)


def offline_reason(flag: bool = False) -> str:
    """Why the network is forbidden ("" when it is allowed): `--offline` or $ERASMO_OFFLINE."""
    if flag:
        return "erasmo runs offline (--offline)."
    if os.environ.get("ERASMO_OFFLINE", "").strip().lower() in _TRUE:
        return "erasmo runs offline (ERASMO_OFFLINE is set)."
    return ""
