"""The embedded MongoDB-wire server's entry point: SecantusDB's own daemon (same flags, same
config file) with a short transaction lifetime, as compose sets on mongod.

A process killed in the middle of a transaction leaves it open on the server, holding every
document it wrote; each writer of those documents conflicts until the server reaps it. The
daemon reaps after 60 s of idleness and has no flag to change that, so this entry point passes
`transaction_lifetime_seconds` to the server it builds. Akhbar's transactions run their
statements back to back, never idle for seconds.

    python -m shared.mongod --port N --storage-path DIR [any secantusd-py flag]
"""

from __future__ import annotations

import functools
import os
import sys

from secantus import cli
from secantus.server import SecantusDBServer

from shared.embedded import MONGO_TRANSACTION_LIFETIME_S

LIFETIME_ENV = "AKHBAR_MONGO_TRANSACTION_LIFETIME_S"


def main(argv: list[str] | None = None) -> int:
    lifetime = float(os.environ.get(LIFETIME_ENV) or MONGO_TRANSACTION_LIFETIME_S)
    cli.SecantusDBServer = functools.partial(  # type: ignore[misc]
        SecantusDBServer, transaction_lifetime_seconds=lifetime
    )
    return cli.main(argv)


if __name__ == "__main__":
    sys.exit(main())
