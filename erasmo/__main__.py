"""`python -m erasmo` runs the `erasmo` command."""

from erasmo.cli.main import main

main()
