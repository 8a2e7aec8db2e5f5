"""What a use case needs to write: a transaction (`commit`) and a way to add events to it
(`emit`). Use cases take this narrow interface, not the whole `Runtime` (which satisfies it),
so a unit test can hand them `InMemoryUnitOfWork` instead of servers."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any, Protocol, TypeVar

from shared import mongo
from shared.events import Event

T = TypeVar("T")
Work = Callable[[mongo.Session], Coroutine[Any, Any, T]]

__all__ = ["InMemoryUnitOfWork", "UnitOfWork", "Work"]


class UnitOfWork(Protocol):
    async def commit(self, work: Work[T]) -> T:
        """Run `work(session)` in one transaction (retried as MongoDB's labels ask)."""
        ...

    async def emit(self, session: mongo.Session, *events: Event) -> None:
        """Add events to the outbox inside `session`'s transaction."""
        ...


class InMemoryUnitOfWork:
    """A fake for use-case tests: no transaction; events emitted by a `work` that raises are
    dropped, as the outbox rows of an aborted transaction are."""

    def __init__(self) -> None:
        self.events: list[Event] = []
        self.commits = 0

    async def commit(self, work: Work[T]) -> T:
        pending: list[Event] = []
        self._pending = pending
        result = await work(_NoSession())  # type: ignore[arg-type]
        self.events.extend(pending)
        self.commits += 1
        return result

    async def emit(self, session: mongo.Session, *events: Event) -> None:
        self._pending.extend(events)


class _NoSession:
    """Stands in for a driver session in fakes; a repository fake ignores it."""
