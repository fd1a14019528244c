"""Momentum rotation across the bundled stocks: on the first trading day of each month, rank
the stocks by their return over the last `lookback` trading days and hold the `top` strongest
in equal weights. The stocks that left the top are sold that day; the next day, once their
cash has come in, the top ones are brought to their weight. Orders are market orders (the
bundled stocks have closes only: they fill at the next close)."""

from decimal import Decimal

from erasmo.strategy import Context, Param, Strategy

#: The bundled stocks with daily closes from 1990 to 2022.
STOCKS = "AAPL,AMD,BAC,BBY,CVX,GE,HD,JNJ,JPM,KO,LLY,MRK,MSFT,PEP,PFE,PG,RRC,UNH,WMT,XOM"


class Momentum(Strategy):
    """Hold the `top` stocks with the highest `lookback`-day return, rotated monthly."""

    params = (
        Param("stocks", str, STOCKS, help="comma-separated tickers ranked"),
        Param("lookback", int, 126, low=1, help="trading days of the return ranked"),
        Param("top", int, 3, low=1, help="how many of the strongest are held"),
        Param("invested", Decimal, Decimal("0.98"), low=0, high=1, help="share of the value"),
    )

    def on_start(self, ctx: Context) -> None:
        self.month: tuple[int, int] | None = None
        self.to_buy: list[str] = []

    def on_bar(self, ctx: Context) -> None:
        if self.to_buy:  # the day after the ranking: the sells have filled
            for ticker in self.to_buy:
                ctx.target_weight(ticker, self.invested / self.top)
            self.to_buy = []
            return
        month = (ctx.day.year, ctx.day.month)
        if month == self.month:
            return
        self.month = month
        best = self.strongest(ctx)
        if not best:
            return  # not enough history yet
        for ticker in ctx.positions:
            if ticker not in best:
                ctx.target_quantity(ticker, 0)
        ctx.note(f"{month[0]}-{month[1]:02d}: hold {', '.join(best)}")
        self.to_buy = best

    def strongest(self, ctx: Context) -> list[str]:
        """The `top` tickers by return over the last `lookback` days (ties by name)."""
        returns = {}
        for ticker in (t.strip() for t in self.stocks.split(",") if t.strip()):
            closes = ctx.history(ticker, "close", self.lookback + 1)
            if len(closes) == self.lookback + 1:
                returns[ticker] = closes.iloc[-1] / closes.iloc[0] - 1
        if len(returns) < self.top:
            return []
        return sorted(returns, key=lambda t: (-returns[t], t))[: self.top]
