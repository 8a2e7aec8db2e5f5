""" "Test this text": the pipeline run dry — the same facts and steps, nothing stored or emitted."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from services.comments.clients import Clients
from services.comments.domain import (
    PIPELINE,
    REFUSED,
    Facts,
    Policy,
    Verdict,
    run_pipeline,
    writer_view,
)
from services.comments.facts import gather_facts
from services.comments.repository import CommentRepository
from services.comments.schemas import SettingsIn
from services.comments.workbench_schemas import DryRunIn, DryRunOut, StepOut
from shared.errors import invalid_field
from shared.events import utcnow


def _draft_policy(current: Policy, draft: dict[str, Any] | None, arabic: bool) -> Policy:
    """The saved policy with unsaved fields laid over it, validated as a PUT would be."""
    if not draft:
        return current
    try:
        fields = SettingsIn.model_validate(draft).model_dump(exclude_unset=True, exclude_none=True)
    except ValidationError as exc:
        where = ".".join(str(p) for p in exc.errors()[0]["loc"])
        invalid = invalid_field(f"policy.{where}", "Invalid value.", "قيمة غير صالحة.", arabic)
        raise invalid from None
    return Policy.model_validate({**current.model_dump(), **fields})


def _steps(facts: Facts, final: Verdict) -> list[StepOut]:
    """What each step said, and whether the final decision carries its reasons."""
    steps = []
    for step in PIPELINE:
        said = step(facts)
        steps.append(
            StepOut(
                step=step.__name__,
                status=said.status if said else None,
                reasons=list(said.reasons) if said else [],
                details=dict(said.details) if said else {},
                counted=bool(said and set(said.reasons) <= set(final.reasons)),
            )
        )
    return steps


async def dry_run(
    repo: CommentRepository, clients: Clients, *, data: DryRunIn, arabic: bool = True
) -> DryRunOut:
    """What the pipeline would decide for this text now, and what each step said."""
    policy = _draft_policy(await repo.policy(), data.policy, arabic)
    article = await repo.article(data.article_id) if data.article_id else None
    writer = clients.writer(str(data.author_email) if data.author_email else None, None)
    facts = await gather_facts(
        repo, writer, article=article, body=data.body, honeypot=data.website, policy=policy,
        now=utcnow(),
    )  # fmt: skip
    verdict = run_pipeline(facts)
    public = writer_view(verdict.status)[0] if verdict.status != REFUSED else None
    return DryRunOut(
        status=verdict.status,
        public_status=public,
        http_status=verdict.http_status,
        reasons=list(verdict.reasons),
        details=dict(verdict.details),
        steps=_steps(facts, verdict),
    )
