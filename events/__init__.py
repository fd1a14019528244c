"""erasmo's write side: value types, the Portfolio aggregate, its events and the store.

This package imports only `eventsourcing` and the standard library.
"""
