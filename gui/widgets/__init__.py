"""Widgets the window builds its forms from."""
