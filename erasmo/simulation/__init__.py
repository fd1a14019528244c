"""Trading in simulation: orders, their fill rules against daily bars, and the market clock."""
