"""Run the comments service: `python -m services.comments`."""

from services.comments.config import Settings
from services.comments.main import create_app
from shared.app import serve

if __name__ == "__main__":
    serve(create_app, Settings())
