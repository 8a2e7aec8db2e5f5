"""Run the related service: `python -m services.related`."""

from __future__ import annotations

import uvicorn

from services.related.config import Settings
from services.related.main import create_app
from shared.http import configure_logging


def main() -> None:
    settings = Settings()
    configure_logging(settings.log_level)
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_config=None)


if __name__ == "__main__":
    main()
