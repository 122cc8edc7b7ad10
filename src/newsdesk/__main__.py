"""`python -m newsdesk` runs the CLI."""

from .cli import main

main()
