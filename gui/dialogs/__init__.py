"""Dialog layouts; their behaviour lives in `gui.controllers`."""
