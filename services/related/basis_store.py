"""The semantic basis of an index epoch in MongoDB (`basis`), so a restart ranks the same.

A rebuild fits the basis with the epoch's statistics and stores it before switching the epoch;
a process loading the index reads the basis of the current epoch back bit for bit (float32
bytes). No document for an epoch means the epoch has no basis (lexical only).
"""

from __future__ import annotations

from services.related.semantic import Basis
from shared import mongo

BASIS = "basis"


async def save_basis(db: mongo.Database, epoch: int, basis: Basis | None) -> None:
    """Store the basis of an epoch in parts (the previous epoch's stays until dropped)."""
    await db[BASIS].delete_many({"epoch": epoch})
    if basis is not None:
        await db[BASIS].insert_many([{"epoch": epoch, **part} for part in basis.to_parts()])


async def load_basis(db: mongo.Database, epoch: int) -> Basis | None:
    parts = await db[BASIS].find({"epoch": epoch}).sort("part", 1).to_list(None)
    return Basis.from_parts(parts) if parts else None


async def drop_basis_except(db: mongo.Database, epoch: int) -> None:
    await db[BASIS].delete_many({"epoch": {"$ne": epoch}})
