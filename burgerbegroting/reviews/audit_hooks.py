"""Reviewers' actions in the hash-chained audit log, and the mails that follow a merge."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from burgerbegroting.core import audit, signals


def _on_review_saved(review: Any, actor_id: int | None, proposal: Any, final: bool, **_kw: Any) -> None:
    # The internal note stays out of the log: the log is for what was decided, by whom.
    audit.record(actor_id, "review_saved", f"proposal:{proposal.id}", {
        "stage": review.stage, "verdict": review.verdict, "reviewed_cost_cents": review.reviewed_cost_cents,
        "final": final, "status": proposal.status,
    })


def _on_merged(duplicate: Any, actor_id: int | None, original: Any, supporters_moved: int, **_kw: Any) -> None:
    audit.record(actor_id, "proposals_merged", f"proposal:{duplicate.id}",
                 {"into": original.id, "supporters_moved": supporters_moved})


def _on_low_support(round_: Any, actor_id: int | None, minimum: int, proposal_ids: list[int], **_kw: Any) -> None:
    audit.record(actor_id, "low_support_marked", f"round:{round_.id}",
                 {"minimum": minimum, "proposals": proposal_ids})


def _mail_merged(duplicate: Any, original: Any, **_kw: Any) -> None:
    from burgerbegroting.moderation.notify import mail_user, proposal_url

    values = {"duplicate": duplicate.title, "original": original.title,
              "link": proposal_url(original.id, external=True)}
    mail_user(
        duplicate.author_id,
        lambda **v: _("Your proposal has been merged with a similar one"),
        lambda **v: _(
            "Your proposal \"%(duplicate)s\" is much like the proposal \"%(original)s\". A reviewer has "
            "merged them: your supporters now support \"%(original)s\", and that proposal goes on.\n\n%(link)s",
            **v),
        **values,
    )
    if original.author_id is not None and original.author_id != duplicate.author_id:
        mail_user(
            original.author_id,
            lambda **v: _("A similar proposal has been merged with yours"),
            lambda **v: _(
                "The proposal \"%(duplicate)s\" is much like your proposal \"%(original)s\". A reviewer has "
                "merged it into yours: its supporters now support your proposal.\n\n%(link)s", **v),
            **values,
        )


def connect() -> None:
    """Connect the audit log and the mails to the review signals (idempotent)."""
    signals.review_saved.connect(_on_review_saved)
    signals.proposals_merged.connect(_on_merged)
    signals.proposals_merged.connect(_mail_merged)
    signals.low_support_marked.connect(_on_low_support)
