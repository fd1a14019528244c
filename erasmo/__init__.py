"""erasmo: a desktop stock-trading simulator on real historical prices.

Nothing in erasmo ever trades real money.
"""

__version__ = "0.1.0"


def __getattr__(name: str) -> object:
    """`erasmo.open` (the notebook API) is imported on first use: `import erasmo` stays cheap."""
    if name == "open":
        from erasmo.notebook import open as open_book

        return open_book
    raise AttributeError(f"module 'erasmo' has no attribute {name!r}")
