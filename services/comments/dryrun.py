""" "Test this text": the pipeline run dry — the same facts and steps, nothing stored or emitted."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from services.comments.context import Context
from services.comments.domain import PIPELINE, REFUSED, Policy, run_pipeline, writer_view
from services.comments.schemas import DryRunIn, DryRunOut, SettingsIn, StepOut
from services.comments.service import gather_facts
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


async def dry_run(ctx: Context, *, data: DryRunIn, arabic: bool = True) -> DryRunOut:
    """What the pipeline would decide for this text now, and what each step said."""
    policy = _draft_policy(await ctx.policy(), data.policy, arabic)
    article = await ctx.repo.article(data.article_id) if data.article_id else None
    email = str(data.author_email).lower() if data.author_email else None
    facts, _ = await gather_facts(
        ctx,
        article=article,
        body=data.body,
        honeypot=data.website,
        email_hash=ctx.keyed("email", email) if email else None,
        client_ip=None,
        policy=policy,
        now=utcnow(),
    )
    final = run_pipeline(facts)
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
    verdict = final
    public = writer_view(verdict.status)[0] if verdict.status != REFUSED else None
    return DryRunOut(
        status=verdict.status,
        public_status=public,
        http_status=verdict.http_status,
        reasons=list(verdict.reasons),
        details=dict(verdict.details),
        steps=steps,
    )
