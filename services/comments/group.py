"""Group commit: concurrent writes of one process share one transaction.

Writers that arrive while a transaction is running wait for it, then go together in the next
one (no timer: at low load a write commits alone, at once). Each write runs as it would alone,
in arrival order, so a later one sees the earlier ones' claims (two twins in one group: the
second is refused, as when they race). A submission (writes.StoreComment) claims its flood
slot in turn; then the bodies of all are claimed in one statement (a twin of an earlier
member, or of a stored comment, is refused there), the comments and their audit records are
inserted in one statement each, and every member's events go to the outbox in one
statement, in arrival order. A write that fails (a refusal) leaves the group: the
transaction is aborted and run again without it, and only its writer gets the error. A
transient error (a conflict with another process) retries the whole group, as it would a
single write. Each writer is answered after the shared commit.

Why: a transaction's statements go one after another, each a round trip; grouped, concurrent
writes share the commit, the outbox writes and the counters (one process's transactions
would also often take the same outbox counter shard and conflict).
"""

from __future__ import annotations

import asyncio
from typing import Any

from services.comments.writes import StoreComment, claim_bodies, store_together
from shared import mongo
from shared.events import Event
from shared.unit_of_work import UnitOfWork, Work

_Pending = tuple[Work[Any], "asyncio.Future[Any]"]


class _Left(Exception):
    """Writes of the group failed (error by position); the group runs again without them."""

    def __init__(self, errors: dict[int, BaseException]) -> None:
        super().__init__(sorted(errors))
        self.errors = errors


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
                for index in sorted(left.errors, reverse=True):
                    _settle(group.pop(index)[1], error=left.errors[index])
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
            stores: list[tuple[int, StoreComment]] = []
            for index, work in enumerate(works):
                try:
                    if isinstance(work, StoreComment):  # its rows are written with the others'
                        await work.claim_flood(session)
                        stores.append((index, work))
                        self._events.extend(work.events)
                        results.append(None)
                    else:
                        results.append(await work(session))
                except Exception as exc:
                    if _transient(exc):
                        raise  # the whole group is run again
                    raise _Left({index: exc}) from exc
            twins = await claim_bodies([store for _, store in stores], session)
            if twins:  # the transaction is spoilt: run again without them
                raise _Left({stores[at][0]: error for at, error in twins.items()})
            await store_together([store for _, store in stores], session)
            await self._uow.emit(session, *self._events)
            return results

        return write
