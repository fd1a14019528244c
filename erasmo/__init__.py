"""erasmo: a desktop stock-trading simulator on real historical prices.

Nothing in erasmo ever trades real money.
"""

__version__ = "0.1.0"


def __getattr__(name: str) -> object:
    """`erasmo.open` (the notebook API) is imported on first use: `import erasmo` stays cheap."""
    if name == "open":
        # Imported by name on first use (PEP 562): the notebook module stands on the whole
        # package, which must not need it to load.
        import importlib

        notebook = importlib.import_module("erasmo.notebook")
        return notebook.open
    raise AttributeError(f"module 'erasmo' has no attribute {name!r}")
