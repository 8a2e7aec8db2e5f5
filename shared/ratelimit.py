"""Per-client rate limits kept in Redis, so every replica of a service counts the same hits.

A fixed window per (scope, client): INCR and EXPIRE in one MULTI; over the limit is a 429 with
Retry-After (seconds to the window's end). When Redis is unreachable the limit fails open (the
service keeps serving, as it does for events), with a warning.
"""

from __future__ import annotations

import logging
import math
import time

from redis.asyncio import Redis
from redis.exceptions import RedisError

from shared.errors import ApiError

log = logging.getLogger("akhbar.ratelimit")


def too_many(retry_after: int) -> ApiError:
    return ApiError(
        429,
        "rate_limited",
        f"Too many requests; try again in {retry_after} seconds.",
        f"طلبات كثيرة جداً؛ حاول مجدداً بعد {retry_after} ثانية.",
        headers={"Retry-After": str(retry_after)},
    )


class RateLimiter:
    """`await limiter.check(scope, client, limit=, window_s=)` raises 429 past the limit."""

    def __init__(self, redis: Redis, prefix: str) -> None:
        self.redis = redis
        self.prefix = prefix

    async def check(self, scope: str, client: str, *, limit: int, window_s: int) -> None:
        """Count one hit of `client` in `scope`; a limit of 0 means no limit."""
        if limit <= 0 or not client:
            return
        now = time.time()
        window = int(now // window_s)
        key = f"{self.prefix}ratelimit:{scope}:{client}:{window}"
        try:
            async with self.redis.pipeline(transaction=True) as pipe:
                pipe.incr(key)
                pipe.expire(key, window_s + 1)
                hits, _ = await pipe.execute()
        except (RedisError, OSError) as exc:
            log.warning("rate limit %s not checked (%s)", scope, type(exc).__name__)
            return
        if int(hits) > limit:
            raise too_many(max(1, math.ceil((window + 1) * window_s - now)))
