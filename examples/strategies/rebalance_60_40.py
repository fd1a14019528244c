"""A 60/40 mix rebalanced every quarter: 60% in a basket of stocks (equal weights), 40% kept
in cash. Sells are placed on the first trading day of a quarter, the buys on the next day,
once the sells' cash has come in."""

from decimal import Decimal

from erasmo.strategy import Context, Param, Strategy


class Rebalance6040(Strategy):
    """Hold `stocks` (equal weights) at `weight` of the value, the rest in cash."""

    params = (
        Param("stocks", str, "KO,PG,JNJ", help="comma-separated tickers of the basket"),
        Param(
            "weight", Decimal, Decimal("0.6"), low=0, high=1, help="the basket's share of the value"
        ),
    )

    def on_start(self, ctx: Context) -> None:
        self.quarter = None
        self.buy_next_bar = False

    def on_bar(self, ctx: Context) -> None:
        tickers = [t.strip() for t in self.stocks.split(",") if t.strip()]
        each = self.weight / len(tickers)  # a Decimal, like prices and quantities
        if self.buy_next_bar:
            for ticker in tickers:
                if ctx.position(ticker) * ctx.close(ticker) < each * ctx.value:
                    ctx.target_weight(ticker, each)
            self.buy_next_bar = False
            return
        quarter = (ctx.day.year, (ctx.day.month - 1) // 3)
        if quarter == self.quarter:
            return
        self.quarter = quarter
        for ticker in tickers:
            if ctx.position(ticker) * ctx.close(ticker) > each * ctx.value:
                ctx.target_weight(ticker, each)
        ctx.note(f"rebalance {quarter[0]} Q{quarter[1] + 1} to {self.weight:.0%} stocks")
        self.buy_next_bar = True
