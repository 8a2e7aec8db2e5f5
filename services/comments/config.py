"""Settings of the comments service (env prefix COMMENTS_)."""

from __future__ import annotations

from pydantic import SecretStr
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class Settings(ServiceSettings):
    """Comments service settings; moderation policy lives in MongoDB, not here."""

    model_config = SettingsConfigDict(env_prefix="COMMENTS_", extra="ignore", populate_by_name=True)

    service_name: str = "comments"
    port: int = 8002
    # HMAC key for the email/IP hashes used by flood, ban and trust lookups. When unset, one
    # is generated at first start and kept in the service's database.
    email_pepper: SecretStr | None = None
    # Behind the gateway: take the client IP from the first X-Forwarded-For hop.
    trust_proxy: bool = False
    max_depth: int = 5
    # Per client (IP hash) and hour, counted in Redis across replicas; 0 = no limit.
    submissions_per_client_per_hour: int = 60
    reports_per_client_per_hour: int = 20
    # Where the moderators' page links an article: {slug} and {id} are filled in.
    article_url: str = "/article/{slug}"  # the reference site's article page
    # Replies loaded with one page of threads (oldest first); a page never loads more.
    max_replies: int = 500
    # The articles service, read by the article read-model rebuild (GET /internal/articles).
    articles_url: str = "http://127.0.0.1:8001"
    peer_timeout_s: float = 30.0
