"""Settings base: every service subclasses it; values come from the environment."""

from __future__ import annotations

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


def _env(name: str) -> AliasChoices:
    """Accept the shared, unprefixed variable (MONGO_URL) and the field name in code."""
    return AliasChoices(name, name.lower())


class ServiceSettings(BaseSettings):
    """Infrastructure every service needs; subclasses add an env prefix and their own fields."""

    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    service_name: str = "akhbar"
    mongo_url: SecretStr = Field(
        default=SecretStr("mongodb://127.0.0.1:27017/?directConnection=true"),
        validation_alias=_env("MONGO_URL"),
    )
    redis_url: SecretStr = Field(
        default=SecretStr("redis://127.0.0.1:6379/0"), validation_alias=_env("REDIS_URL")
    )
    tokens: SecretStr = Field(default=SecretStr(""), validation_alias=_env("AKHBAR_TOKENS"))
    log_level: str = Field(default="INFO", validation_alias=_env("LOG_LEVEL"))
    # Sites whose pages may call the API from the browser (comma-separated origins, or *).
    # Empty: cross-origin calls are refused (the gateway serves the site on the same origin).
    cors_origins: str = Field(default="", validation_alias=_env("CORS_ORIGINS"))
    # How long browsers and caches may reuse a public read before revalidating it (ETag).
    public_max_age_s: int = Field(default=10, ge=0, validation_alias=_env("PUBLIC_MAX_AGE_S"))
    log_format: str = Field(default="auto", validation_alias=_env("LOG_FORMAT"))  # json|console

    mongo_db: str = ""  # defaults to the service name
    host: str = "127.0.0.1"
    port: int = 8000
    consumer_name: str = ""  # unique per process; generated when empty
    stream_prefix: str = ""  # tests isolate streams with a prefix
    stream_maxlen: int = 100_000
    claim_min_idle_ms: int = 30_000
    claim_interval_s: float = 5.0
    max_deliveries: int = 5
    relay_interval_s: float = 0.5
    relay_max_backoff_s: float = 10.0
    graceful_timeout_s: float = 10.0
    max_body_bytes: int = 256 * 1024
    # Backbone limits (README "How events flow"): readiness fails past these figures.
    ready_max_lag: int = 10_000  # entries not yet delivered to a group
    ready_max_pending_age_s: float = 600.0  # age of a group's oldest unacknowledged entry
    monitor_interval_s: float = 5.0  # outbox backlog, Redis-loss marker
    idle_consumer_s: float = 3600.0  # consumers idle this long with nothing pending are deleted
    outbox_keep_sent_days: float = 7.0  # sent outbox rows kept for replays
    inbox_keep_days: float = 14.0  # processed_events kept (past outbox retention: no redelivery
    # can be older); a TTL index deletes older ones
    recover_on_loss: bool = True  # replay outboxes and rebuild read models when Redis lost data

    @property
    def database(self) -> str:
        """Name of this service's own MongoDB database."""
        return self.mongo_db or self.service_name

    def stream(self, name: str) -> str:
        """Fully qualified stream name (prefix used for test isolation)."""
        return f"{self.stream_prefix}{name}"
