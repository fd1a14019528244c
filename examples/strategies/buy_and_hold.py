"""Buy and hold: put (almost) all the cash into one ticker and keep it.

The buy is a market order sized at the last close; if the next bar gaps up so that it no
longer fits the cash, the simulator rejects it and the strategy tries again the next day.
`reserve` keeps a little cash aside so that a small gap does not matter.
"""

from decimal import Decimal

from erasmo.strategy import Context, Param, Strategy


class BuyAndHold(Strategy):
    """Buy as many whole shares of `ticker` as the cash allows (less `reserve`), once."""

    params = (
        Param("ticker", str, "MSFT", help="the ticker to hold"),
        Param("reserve", Decimal, Decimal("0.02"), low=0, high=1, help="cash kept aside"),
    )

    def on_bar(self, ctx: Context) -> None:
        if ctx.position(self.ticker) or ctx.open_orders:
            return
        quantity = int(ctx.affordable(self.ticker) * (1 - self.reserve))
        if quantity > 0:
            ctx.buy(self.ticker, quantity)
            ctx.note(f"buy {quantity} {self.ticker} and hold")
