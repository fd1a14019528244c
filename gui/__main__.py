"""`python -m gui [DATA_DIR]`: open the desktop app."""

from __future__ import annotations

import sys

from gui.app import run

if __name__ == "__main__":
    sys.exit(run(sys.argv[1] if len(sys.argv) > 1 else None))
