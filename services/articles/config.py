"""Settings of the articles service (env prefix ARTICLES_)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from services.articles.domain import Limits
from shared.settings import ServiceSettings


class Settings(ServiceSettings):
    """Articles service settings; the shared fields come from ServiceSettings."""

    model_config = SettingsConfigDict(env_prefix="ARTICLES_", extra="ignore", populate_by_name=True)

    service_name: str = "articles"
    port: int = 8001
    # The request guard must let a 200 KB article body through even with \\u escapes, so the
    # article-level limit (body_max_bytes) can answer with its own, clearer error.
    max_body_bytes: int = 1024 * 1024
    body_max_bytes: int = 200 * 1024
    slug_max_chars: int = 80
    scheduler_enabled: bool = True
    scheduler_interval_s: float = 5.0
    # The comments service, read by the comment-count rebuild (GET /internal/comment-counts).
    comments_url: str = "http://127.0.0.1:8002"
    peer_timeout_s: float = 30.0

    def limits(self) -> Limits:
        """The size limits the write use cases apply."""
        return Limits(body_max_bytes=self.body_max_bytes, slug_max_chars=self.slug_max_chars)
