"""The rules of the Portfolio aggregate and the effects of its events, one module per concern.

`events.portfolio.Portfolio` keeps the commands and declares its events (their stored names and
topics, `events.portfolio:Portfolio.<Name>`, never change); what each command checks and what
each event does to the state live here:

- `book`: the state a portfolio holds, as the rules see it (`Book`);
- `status`: open, closed, deleted, and the forward-only clock;
- `cash`: deposits, withdrawals and the cash a trade or an order may use;
- `trades`: buys and sells;
- `orders`: placing, filling and ending orders, and what open orders hold back;
- `actions`: splits and dividends, which may be recorded late;
- `forks`: what-if branches and the parent's events they copy;
- `margin`: cash and margin accounts, buying power; `shorts`: a margin account's short positions.
- `margin_calls`: a margin account in time: interest and borrow fees charged, margin calls and
  forced sales (docs/margin.md).

A check raises the named error of the broken rule and changes nothing; the error carries the
rule in the audit's words (`ErasmoError.problems`, set with `book.broken`). These are the only
rules: the audit, import and sync check a log by re-making each event with the command that
records it (`events.replay`), so the same function raises the same error whichever way an event
arrives.

An effect function's first parameter is named `self`: the aggregate calls it as the method of
its event.
"""
