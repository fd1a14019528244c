"""Widgets that hold layout only; behaviour lives in `gui.controllers`."""
