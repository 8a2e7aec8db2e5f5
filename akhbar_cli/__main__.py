"""`python -m akhbar_cli` is `akhbar`."""

from akhbar_cli.cli import run

run()
