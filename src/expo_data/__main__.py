"""`python -m expo_data` runs the CLI."""

from .cli import main

main()
