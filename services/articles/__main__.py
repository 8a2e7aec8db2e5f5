"""Run the articles service: `python -m services.articles`."""

from __future__ import annotations

import uvicorn

from services.articles.config import Settings
from services.articles.main import create_app
from shared.http import configure_logging


def main() -> None:
    settings = Settings()
    configure_logging(settings.log_level)
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_config=None)


if __name__ == "__main__":
    main()
