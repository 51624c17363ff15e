"""`python -m book`: the same as the `book` command."""

from .cli import run

run()
