"""Three installs, one divergence, one conflict copy.

The server install (alpha) and two others: gamma, which also serves, and beta. Gamma writes to
"Tech" while alpha writes to it too; beta takes gamma's line from gamma's server. Then gamma and
beta each sync with alpha: both hold the same diverging events, so the copy that keeps them is
made once (by whoever syncs first) and recognised by the other, never made twice. When both
keep the copy before either sends it (each pulls first), the two copies share their id and
events and differ only by the name each gave it: whichever way they meet, they become one.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from test_sync_support import CONFLICT_DAY, Install, assert_same_events, client, make_install, serve

from events.application import Portfolios
from events.store import StoreConfig


@pytest.fixture
def installs(tmp_path: Path, store: StoreConfig) -> Iterator[tuple[Install, Install, Install]]:
    """alpha and beta on SQLite; gamma, which keeps or recognises the copy, on each store."""
    (tmp_path / "gamma").mkdir()
    made = [make_install(tmp_path / name) for name in ("alpha", "beta")]
    made.append(Install(tmp_path / "gamma", Portfolios(store)))
    yield made[0], made[1], made[2]
    for install in made:
        install.app.close()


@pytest.mark.parametrize("first", ["gamma", "beta"])
def test_one_divergence_makes_one_conflict_copy(
    installs: tuple[Install, Install, Install], first: str
) -> None:
    alpha, beta, gamma = installs
    server = serve(alpha)
    gamma_server = serve(gamma, name="gamma")
    try:
        tech = alpha.open("Tech")  # v1 opened, v2 10,000.00
        client(gamma, server, label="gamma").sync()
        client(beta, server, label="beta").sync()
        gamma.deposit(tech, "7", days=1)  # gamma's line: v3, v4
        gamma.deposit(tech, "8", days=2)
        client(beta, gamma_server, label="beta").sync()  # beta now holds gamma's line too
        alpha.deposit(tech, "100", days=1)  # the server's line: v3

        order = [gamma, beta] if first == "gamma" else [beta, gamma]
        labels = {id(gamma): "gamma", id(beta): "beta"}
        summaries = [client(i, server, label=labels[id(i)]).sync() for i in order]
        client(order[0], server, label=labels[id(order[0])]).sync()  # takes what the other sent

        made, recognised = summaries
        assert len(made.conflicts) == 1
        copy = made.conflicts[0]
        assert copy.copy_name == f"Tech (conflict {CONFLICT_DAY} from {first})"
        assert [c.copy_id for c in recognised.conflicts] == [copy.copy_id]
        for install in (alpha, beta, gamma):
            assert install.names() == ["Tech", copy.copy_name]
            # The copy keeps gamma's line: 10,000.00 + 7.00 + 8.00; Tech follows the server.
            assert install.app.portfolio(copy.copy_id).cash == 10_015
            assert install.app.portfolio(tech).cash == 10_100
        assert_same_events(alpha, beta)
        assert_same_events(alpha, gamma)
    finally:
        gamma_server.stop()
        server.stop()


@pytest.mark.parametrize("first", ["gamma", "beta"])
@pytest.mark.parametrize("direct", [False, True], ids=["through-server", "directly"])
def test_copies_kept_on_two_installs_before_either_pushed_become_one(
    installs: tuple[Install, Install, Install], direct: bool, first: str
) -> None:
    """Gamma and beta both take the server's line before either sends its own: each keeps the
    same diverging events as a copy (the same id, each under its own name). Whichever way the
    copies then meet (through the server in either order, or beta syncing with gamma's server
    directly), they are recognised as one copy: one copy on every install, no copy of a copy."""
    alpha, beta, gamma = installs
    server = serve(alpha)
    gamma_server = serve(gamma, name="gamma")
    labels = {"gamma": gamma, "beta": beta}
    try:
        tech = alpha.open("Tech")  # v1 opened, v2 10,000.00
        client(gamma, server, label="gamma").sync()
        client(beta, server, label="beta").sync()
        gamma.deposit(tech, "7", days=1)  # gamma's line: v3, v4
        gamma.deposit(tech, "8", days=2)
        client(beta, gamma_server, label="beta").sync()  # beta now holds gamma's line too
        alpha.deposit(tech, "100", days=1)  # the server's line: v3

        kept = [client(labels[n], server, label=n).sync(push=False) for n in ("gamma", "beta")]
        (by_gamma,), (by_beta,) = (k.conflicts for k in kept)
        assert by_gamma.copy_id == by_beta.copy_id  # the same diverging events
        assert by_gamma.copy_name == f"Tech (conflict {CONFLICT_DAY} from gamma)"
        assert by_beta.copy_name == f"Tech (conflict {CONFLICT_DAY} from beta)"

        if direct:  # gamma serves this sync: beta's copy gives way to gamma's
            client(beta, gamma_server, label="beta").sync()
        second = "beta" if first == "gamma" else "gamma"
        for label in (first, second, first):  # the last takes what the second sent, if any
            client(labels[label], server, label=label).sync()

        # The copy that reached the server first keeps its name; the other gave way to it.
        winner = "gamma" if direct or first == "gamma" else "beta"
        name = f"Tech (conflict {CONFLICT_DAY} from {winner})"
        for install in (alpha, beta, gamma):
            assert install.names() == ["Tech", name]
            # The copy keeps gamma's line: 10,000.00 + 7.00 + 8.00; Tech follows the server.
            assert install.app.portfolio(by_gamma.copy_id).cash == 10_015
            assert install.app.portfolio(tech).cash == 10_100
        assert_same_events(alpha, beta)
        assert_same_events(alpha, gamma)
    finally:
        gamma_server.stop()
        server.stop()
