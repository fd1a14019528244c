"""SMA crossover on one ticker: all in when the fast average crosses above the slow one, all
out when it crosses below. Orders are market orders: they fill at the next bar's open."""

from erasmo.strategy import Context, Param, Strategy


class Cross(Strategy):
    """Long `ticker` while its `fast`-day average of closes is above its `slow`-day one."""

    params = (
        Param("ticker", str, "GOOG", help="the ticker traded"),
        Param("fast", int, 50, low=1, help="days in the fast average"),
        Param("slow", int, 200, low=2, help="days in the slow average"),
    )

    def on_bar(self, ctx: Context) -> None:
        closes = ctx.history(self.ticker, "close", self.slow + 1)
        if len(closes) < self.slow + 1:
            return  # not enough history for both averages yet
        fast = closes.rolling(self.fast).mean()
        slow = closes.rolling(self.slow).mean()
        crossed_up = fast.iloc[-2] <= slow.iloc[-2] and fast.iloc[-1] > slow.iloc[-1]
        crossed_down = fast.iloc[-2] >= slow.iloc[-2] and fast.iloc[-1] < slow.iloc[-1]
        if ctx.open_orders:
            return  # yesterday's order has not filled yet (no new bar of the ticker)
        held = ctx.position(self.ticker)
        if crossed_up and not held:
            ctx.buy(self.ticker, ctx.affordable(self.ticker))
            ctx.note(f"{self.fast}-day average crossed above the {self.slow}-day one")
        elif crossed_down and held:
            ctx.sell(self.ticker, held)
            ctx.note(f"{self.fast}-day average crossed below the {self.slow}-day one")
