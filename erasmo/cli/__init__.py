"""The `erasmo` command line."""
