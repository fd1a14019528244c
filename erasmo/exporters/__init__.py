"""A portfolio's history written for other programs: Portfolio Performance's CSV import
(`pp`), a beancount ledger (`beancount`), and tables of trades, holdings and the daily value
(`tables`, CSV or Parquet). Each works from the front door's reads, never from the store."""
