"""Cash and margin accounts at the front door: the account's type, its margin parameters and
its buying power, read and changed by portfolio id (see `events.rules.margin`), and a live
margin account brought up to the market's latest date (`erasmo.simulation.live_days`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING
from uuid import UUID

from erasmo.door.results import changed
from erasmo.simulation import live_days
from events.dryrun import dry_running
from events.portfolio import Portfolio
from events.rules import margin, margin_calls

if TYPE_CHECKING:
    from erasmo.simulation.service import SimulationService
    from erasmo.simulation.views import AdvanceReport, TradingRules
    from events.application import Portfolios

_CENT = Decimal("0.01")
_PLACES = 6  # a quantity's and a price's most decimals (events.values)


def margin_used(initial_margin: Decimal | float, quantity: float, price: float) -> Decimal | None:
    """What one position ties up in a margin account: initial margin x |quantity x price|,
    computed from exact decimals (a quantity and a price have at most 6 places) and rounded to
    the cent half-up, as erasmo's other money; None without a price. The CLI's holdings and the
    window's "Margin used" column both take it, so they agree to the cent."""
    if quantity != quantity or price != price:  # NaN: no price (or no quantity)
        return None
    rate = initial_margin if isinstance(initial_margin, Decimal) else Decimal(repr(initial_margin))
    value = Decimal(repr(round(quantity, _PLACES))) * Decimal(repr(round(price, _PLACES)))
    return (rate * abs(value)).quantize(_CENT, rounding=ROUND_HALF_UP)


#: Margin parameters as the door takes them: name -> text ("0.5" or "50%"), None for a default.
MarginParameters = Mapping[str, str | Decimal | None]


@dataclass(frozen=True, slots=True)
class AccountView:
    """A portfolio's account.

    Attributes:
        account: "cash" or "margin".
        initial_margin, maintenance_long, maintenance_short: fractions of a position's value.
        margin_interest, borrow_fee: annual rates (on a debit balance; on a short's value).
        borrow_overrides: per-ticker borrow fees ("AAPL=0.02,TSLA=0.1"; "" for none).
        equity: cash plus the positions at their marks (latest trade prices).
        buying_power: what it may still buy or sell short (a cash account: available cash).
        interest_paid, borrow_fees_paid: margin interest and borrow fees charged so far.
        margin_call: the latest margin call (day, equity, maintenance margin), if any.
        call_open: whether that call was made at the close the clock is on (it is met, or
            positions are sold, at the next open).
    """

    account: str
    initial_margin: Decimal
    maintenance_long: Decimal
    maintenance_short: Decimal
    margin_interest: Decimal
    borrow_fee: Decimal
    borrow_overrides: str
    equity: Decimal
    buying_power: Decimal
    interest_paid: Decimal = Decimal(0)
    borrow_fees_paid: Decimal = Decimal(0)
    margin_call: tuple[date, Decimal, Decimal] | None = None
    call_open: bool = False

    @classmethod
    def of(cls, p: Portfolio) -> AccountView:
        """The account of an aggregate."""
        return cls(
            account=p.account,
            **margin.params(p),
            equity=margin.equity(p),
            buying_power=p.buying_power,
            interest_paid=margin_calls.paid_so_far(p)["interest"],
            borrow_fees_paid=margin_calls.paid_so_far(p)["borrow_fee"],
            margin_call=margin_calls.latest_call(p),
            call_open=(margin_calls.latest_call(p) or (None,))[0] == p.clock,
        )

    def notices(self) -> list[str]:
        """Lines on what a margin account was charged and on its latest margin call."""
        if self.account == "cash":
            return []
        lines = [
            f"Margin interest charged {self.interest_paid:,.2f}, borrow fees "
            f"{self.borrow_fees_paid:,.2f}."
        ]
        if self.margin_call is not None:
            on, worth, needed = self.margin_call
            lines.append(
                f"{'MARGIN CALL' if self.call_open else 'Latest margin call'} {on}: equity "
                f"{worth:,.2f} below the maintenance margin {needed:,.2f}"
                + ("; unless met, positions are sold at the next open." if self.call_open else ".")
            )
        return lines

    def describe(self) -> str:
        """One line: "cash account" or the margin parameters in percent."""
        if self.account == "cash":
            return "cash account"
        extra = f", borrow overrides {self.borrow_overrides}" if self.borrow_overrides else ""
        return (
            f"margin account: initial margin {_pct(self.initial_margin)}, maintenance "
            f"{_pct(self.maintenance_long)} long / {_pct(self.maintenance_short)} short, "
            f"interest {_pct(self.margin_interest)} a year, borrow fee {_pct(self.borrow_fee)} "
            f"a year{extra}; buying power {self.buying_power:,.2f}"
        )


class AccountCommands:
    """The account of a portfolio, read and changed (`FrontDoor` inherits these)."""

    app: Portfolios
    simulation: SimulationService

    def account(self, portfolio_id: UUID) -> AccountView:
        """The portfolio's account: cash or margin, its parameters and buying power."""
        return AccountView.of(self.app.portfolio(portfolio_id))

    def set_account(
        self,
        portfolio_id: UUID,
        account: str,
        margin: MarginParameters | None = None,
        *,
        dry_run: bool = False,
    ) -> AccountView:
        """Make the portfolio a cash or margin account (`margin`: parameters by name, None
        for their defaults; see `events.rules.margin`)."""
        return set_account(self.app, portfolio_id, account, margin or {}, dry_run=dry_run)

    def change_rules(
        self,
        portfolio_id: UUID,
        mode: str | None = None,
        commission: str | None = None,
        slippage_bps: str | Decimal | int | None = None,
        *,
        max_volume_pct: str | Decimal | int | None = None,
        account: str | None = None,
        margin: MarginParameters | None = None,
        dry_run: bool = False,
    ) -> tuple[TradingRules, AccountView]:
        """Change the trading rules, the volume cap and the account (and its `margin`
        parameters) together, each None to keep it: all in one save or, when any part is
        refused, nothing (`SimulationService.set_rules`). Returns the rules and the account
        then (as they would be, for a dry run)."""
        with self.app.dry_run(dry_run) as run:
            rules = self.simulation.set_rules(
                portfolio_id,
                mode,
                commission,
                slippage_bps,
                max_volume_pct=max_volume_pct,
                account=account,
                margin=margin,
            )
            return rules, AccountView.of(changed(self.app, run, portfolio_id, dry_run))

    def catch_up(self, portfolio_id: UUID, *, dry_run: bool = False) -> AdvanceReport | None:
        """Bring a live margin account to the market's latest date: its orders, corporate
        actions, margin interest, borrow fees, margin calls and forced sales on the days since
        its clock, in one save, as `advance` does (docs/margin.md). None, recording nothing,
        when it is already there or is not a live margin account. The CLI and the GUI call it
        when they see the market's latest date; a trade, cash move or order dated on a later
        day does the same first, in its own save."""
        return live_days.catch_up(self.simulation, portfolio_id, dry_run=dry_run)


def _pct(rate: Decimal) -> str:
    return f"{(rate * 100).normalize():f}%"


def check_parameters(account: str, parameters: MarginParameters) -> None:
    """Raise the named error `set_account` would raise for these parameters, recording
    nothing (checked on a scratch portfolio, before a portfolio is opened with them)."""
    scratch = Portfolio.open("scratch", date(2000, 1, 3))
    scratch.set_account(account, scratch.clock, **parameters)


def set_volume_cap(
    app: Portfolios, portfolio_id: UUID, cap: Decimal, *, dry_run: bool = False
) -> None:
    """Record a volume cap (`erasmo.simulation.volume.volume_cap` checked it) on a portfolio
    just opened, dated on its clock (in a dry run, on the one opened in it)."""
    with app.dry_run(dry_run) as run:
        if dry_run or dry_running():
            p = changed(app, run, portfolio_id, True)
            p.set_volume_cap(cap, p.clock)
        else:
            app.change(portfolio_id, lambda p: p.set_volume_cap(cap, p.clock))


def set_account(
    app: Portfolios,
    portfolio_id: UUID,
    account: str,
    parameters: MarginParameters,
    *,
    dry_run: bool = False,
) -> AccountView:
    """Record the account type and its parameters, dated on the portfolio's clock."""
    with app.dry_run(dry_run) as run:
        if (dry_run or dry_running()) and any(
            getattr(a, "id", None) == portfolio_id for a in run.aggregates
        ):  # opened in this same dry run: not in the store
            changed(app, run, portfolio_id, True).set_account(
                account, changed(app, run, portfolio_id, True).clock, **parameters
            )
        else:
            app.change(portfolio_id, lambda p: p.set_account(account, p.clock, **parameters))
        return AccountView.of(changed(app, run, portfolio_id, dry_run))
