"""Qt table models over erasmo's results; formatting lives in `data()`, nothing is computed."""
