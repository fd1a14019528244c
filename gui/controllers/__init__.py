"""Behaviour: controllers connect views to erasmo's services through private `_on_*` slots."""
