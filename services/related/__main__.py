"""Run the related service: `python -m services.related`."""

from services.related.config import Settings
from services.related.main import create_app
from shared.app import serve

if __name__ == "__main__":
    serve(create_app, Settings())
