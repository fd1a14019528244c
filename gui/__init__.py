"""erasmo's desktop window (PySide6 + pyqtgraph). It may import `erasmo` and `events` value types,
and computes no finance itself."""
