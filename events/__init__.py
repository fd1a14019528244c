"""erasmo's write side: value types, the Portfolio aggregate, its events and the store.

This package imports only `eventsourcing` and the standard library.
"""

#: Tells erasmo that this `events` is its own, not another distribution's package of that name.
ERASMO_PACKAGE = "events"
