"""The floor for reads: a bare FastAPI app answering one indexed `find_one` (no cache, no
validation, no middleware), on the same MongoDB-wire server as the services. bench/reads.py
runs it under uvicorn beside the services.
"""

from __future__ import annotations

import os
from typing import Any

from fastapi import FastAPI, HTTPException
from motor.motor_asyncio import AsyncIOMotorClient

app = FastAPI()
_client = AsyncIOMotorClient(os.environ["BARE_MONGO_URL"], tz_aware=True)
_articles = _client[os.environ["BARE_DB"]]["articles"]


@app.get("/bare/{slug}")
async def by_slug(slug: str) -> dict[str, Any]:
    doc = await _articles.find_one({"slug": slug})
    if doc is None:
        raise HTTPException(404)
    doc["_id"] = str(doc["_id"])
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in doc.items()}
