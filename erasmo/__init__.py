"""erasmo: a desktop stock-trading simulator on real historical prices.

Nothing in erasmo ever trades real money.
"""

__version__ = "0.1.0"
