"""Settings of the related service (env prefix RELATED_)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class Settings(ServiceSettings):
    """Related service settings; the shared fields come from ServiceSettings."""

    model_config = SettingsConfigDict(env_prefix="RELATED_", extra="ignore", populate_by_name=True)

    service_name: str = "related"
    port: int = 8003
    # Where a rebuild reads the published articles (the articles service's internal listing).
    articles_url: str = "http://127.0.0.1:8001"
    articles_page_size: int = 500
    articles_timeout_s: float = 30.0
    # Scoring knobs (see docs/related.md); lists hold `list_size` items at most.
    list_size: int = 10
    min_score: float = 0.04
    duplicate_cosine: float = 0.8
    category_bonus: float = 0.0  # opt-in per site (docs/related.md)
    half_life_days: float | None = None  # recency preference; None = off
    # Dense (LSA) side: share of the semantic cosine in the score (0 = lexical only), basis
    # dimensions, and the smallest corpus a rebuild fits a basis on.
    semantic_weight: float = 0.5
    semantic_dims: int = 100
    semantic_min_docs: int = 200
    # Topic clusters fitted with the basis and their share of the semantic cosine (0: off).
    topic_clusters: int = Field(default=16, ge=0, le=256)
    topic_share: float = Field(default=0.15, ge=0.0, lt=1.0)
    # Neighbourhood expansion of an article's query vector by its closest fitted articles,
    # and its weight (0: off).
    neighbours: int = Field(default=30, ge=0, le=1000)
    neighbour_weight: float = Field(default=2.0, ge=0.0, le=100.0)
    reason_terms: int = 5
    # Idf statistics are frozen per index epoch; when the corpus has grown by this factor since
    # (and holds at least auto_rebuild_min_docs), a rebuild refreshes them. 0 or None: off.
    auto_rebuild_growth: float | None = 1.3
    auto_rebuild_min_docs: int = 20
    auto_rebuild_cooldown_s: float = 300.0
    # Cross-replica index lease taken by a rebuild (or a repair) while it writes the index;
    # renewed every third of it while working, so a dead holder is taken over this fast.
    lease_s: float = 15.0
    job_heartbeat_s: float = 2.0
    job_stale_s: float = 60.0
    write_batch: int = 500
