"""Run the articles service: `python -m services.articles`."""

from services.articles.config import Settings
from services.articles.main import create_app
from shared.app import serve

if __name__ == "__main__":
    serve(create_app, Settings())
