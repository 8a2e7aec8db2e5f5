"""Group commit: concurrent writes of one process share one transaction.

Writers that arrive while a transaction is running wait for it, then go together in the next
one (no timer: at low load a write commits alone, at once). Each write runs as it would alone,
in arrival order, so a later one sees the earlier ones' claims (two twins in one group: the
second is refused, as when they race). A submission (writes.StoreComment) makes its claims
in turn; the claimed comments and their audit records are then inserted in one statement
each, and every member's events go to the outbox in one statement, in arrival order.
A write that fails (a refusal) leaves the group: the transaction is aborted and run again
without it, and only its writer gets the error. A transient error (a conflict with another
process) retries the whole group, as it would a single write. Each writer is answered after
the shared commit.

Why: every transaction that emits events bumps the one outbox counter, so concurrent
transactions of one process conflict and retry (each retry costs every statement again);
grouped, they commit one after the other and share the commit and the outbox writes.
"""

from __future__ import annotations

import asyncio
from typing import Any

from services.comments.writes import StoreComment, store_together
from shared import mongo
from shared.events import Event
from shared.unit_of_work import UnitOfWork, Work

_Pending = tuple[Work[Any], "asyncio.Future[Any]"]


class _Left(Exception):
    """The write at `index` of the group failed; the group runs again without it."""

    def __init__(self, index: int, error: BaseException) -> None:
        super().__init__(index)
        self.index, self.error = index, error


def _transient(exc: BaseException) -> bool:
    return isinstance(exc, mongo.PyMongoError) and exc.has_error_label("TransientTransactionError")


def _settle(
    future: asyncio.Future[Any], result: Any = None, error: BaseException | None = None
) -> None:
    if future.done():  # the writer went away (request cancelled)
        return
    if isinstance(error, asyncio.CancelledError):
        future.cancel()
    elif error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)


class GroupCommit:
    """A `UnitOfWork` whose `commit` groups the writes of concurrent callers (at most `limit`
    per transaction) over the one given."""

    def __init__(self, uow: UnitOfWork, *, limit: int = 64) -> None:
        self._uow = uow
        self._limit = limit
        self._queue: list[_Pending] = []
        self._task: asyncio.Task[None] | None = None
        self._events: list[Event] = []  # of the group being written

    async def commit(self, work: Work[Any]) -> Any:
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._queue.append((work, future))
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._drain(), name="comments-group-commit")
        return await future

    async def emit(self, session: mongo.Session, *events: Event) -> None:
        """Held until every write of the group ran, then added to the outbox at once."""
        self._events.extend(events)

    async def _drain(self) -> None:
        while self._queue:
            group = [p for p in self._queue[: self._limit] if not p[1].done()]
            del self._queue[: self._limit]
            await self._write(group)

    async def _write(self, group: list[_Pending]) -> None:
        while group:
            try:
                results = await self._uow.commit(self._together([w for w, _ in group]))
            except _Left as left:
                _settle(group.pop(left.index)[1], error=left.error)
                continue
            except BaseException as exc:  # the database is away: every writer is told
                for _, future in group:
                    _settle(future, error=exc)
                if isinstance(exc, asyncio.CancelledError):
                    raise
                return
            for (_, future), result in zip(group, results, strict=True):
                _settle(future, result)
            return

    def _together(self, works: list[Work[Any]]) -> Work[list[Any]]:
        async def write(session: mongo.Session) -> list[Any]:
            self._events = []
            results: list[Any] = []
            stores: list[StoreComment] = []
            for index, work in enumerate(works):
                try:
                    if isinstance(work, StoreComment):  # its rows are written with the others'
                        await work.claim(session)
                        stores.append(work)
                        self._events.extend(work.events)
                        results.append(None)
                    else:
                        results.append(await work(session))
                except Exception as exc:
                    if _transient(exc):
                        raise  # the whole group is run again
                    raise _Left(index, exc) from exc
            await store_together(stores, session)
            await self._uow.emit(session, *self._events)
            return results

        return write
