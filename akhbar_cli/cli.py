"""Entry point of the `akhbar` console script: every command registered on one Typer app."""

from __future__ import annotations

from akhbar_cli import repair  # noqa: F401 - registers the repair commands
from akhbar_cli.main import app


def run() -> None:
    app(prog_name="akhbar")


if __name__ == "__main__":
    run()
