"""The feasibility review (haalbaarheidstoets) for civil servants: the queue, the verdict
form with optimistic locking and four-eyes check, duplicates, and the supporters' threshold."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from burgerbegroting.auth.models import User
from burgerbegroting.core.permissions import Action
from burgerbegroting.core.web import render, require
from burgerbegroting.extensions import db
from burgerbegroting.processes.models import District, Round
from burgerbegroting.processes.phases import Phase
from burgerbegroting.proposals.models import Proposal
from burgerbegroting.proposals.status import Status
from burgerbegroting.reviews import operations as ops
from burgerbegroting.reviews.forms import ConfirmForm, MergeForm, ReviewForm
from burgerbegroting.reviews.labels import STATUSES, VERDICTS
from burgerbegroting.reviews.public import public_review

bp = Blueprint("reviews", __name__)
# ``public_review(proposal)`` for the public proposal page (templates/reviews/_public.html).
bp.add_app_template_global(public_review, "public_review")

REFUSALS = {
    "not_review_phase": _l("Proposals can only be reviewed in the review phase of the round."),
    "rule_locked": _l("Voting has started: the proposals on the ballot can no longer change."),
    "not_reviewable": _l("This proposal cannot be reviewed in its current status."),
    "same_reviewer": _l("You gave the first verdict on this proposal. A different reviewer must confirm it "
                        "(four-eyes check)."),
    "unknown_verdict": _l("Choose a verdict."),
    "cost_range": _l("The cost must be more than € 0."),
    "reason_required": _l("Explain in public why the proposal is not feasible or what changes."),
    "no_minimum": _l("This round has no minimum number of supporters."),
    "ideas_not_over": _l("The ideas phase has not ended yet."),
    "merge_same": _l("A proposal cannot be merged into itself."),
    "merge_other_district": _l("Only proposals in the same round and district can be merged."),
    "merge_phase": _l("Duplicates can only be merged in the ideas and review phases."),
    "merge_status": _l("This proposal cannot be merged in its current status."),
    "merge_target_status": _l("The chosen proposal cannot receive a merge in its current status."),
}


def _load(proposal_id: int) -> Proposal:
    proposal = db.session.get(Proposal, proposal_id)
    if proposal is None or proposal.status == Status.DRAFT.value:
        abort(404)
    return proposal


def _names(reviews: Mapping[int, Any]) -> dict[int, str]:
    ids = {r.reviewer_id for r in reviews.values() if r.reviewer_id}
    if not ids:
        return {}
    return {u.id: u.name for u in db.session.scalars(sa.select(User).where(User.id.in_(ids)))}


def _page(proposal: Proposal, form: ReviewForm, status: int = 200, conflict: object = None,
          merge_form: MergeForm | None = None):  # type: ignore[no-untyped-def]
    reviews = ops.reviews_of(proposal)
    counts = ops.support_counts([proposal.id])
    candidates = ops.merge_candidates(proposal)
    return render(
        "reviews/review.html", status=status, proposal=proposal, form=form, reviews=reviews,
        reviewer_names=_names(reviews), supporters=counts[proposal.id], conflict=conflict,
        merge_form=merge_form or MergeForm(candidates, formdata=None), candidates=candidates,
        verdict_label=lambda c: str(VERDICTS.get(c, c)), status_label=lambda c: str(STATUSES.get(c, c)),
        mergeable=Status(proposal.status) in ops.MERGEABLE,
    )


def _form_data(proposal: Proposal) -> dict[str, object]:
    latest = ops.latest_review(proposal)
    data: dict[str, object] = {"version": proposal.version,
                               "cost": _plain_euro(proposal.effective_cost_cents)}
    if latest is not None:
        data.update(verdict=latest.verdict, cost=_plain_euro(latest.reviewed_cost_cents),
                    public_reason=latest.public_reason, internal_note=latest.internal_note)
    return data


def _plain_euro(cents: int) -> str:
    """An amount as the cost field accepts it: 12500 or 12500,50."""
    whole, rest = divmod(cents, 100)
    return f"{whole},{rest:02d}" if rest else str(whole)


@bp.get("/beheer/toets")
def queue():  # type: ignore[no-untyped-def]
    require(Action.VIEW_REVIEW_QUEUE)
    rounds = [r for r in db.session.scalars(sa.select(Round).order_by(Round.created_at.desc(), Round.id.desc()))
              if r.phase_at() != Phase.DRAFT]
    slug = request.args.get("ronde", "")
    if slug:
        round_ = next((r for r in rounds if r.slug == slug), None)
        if round_ is None:
            abort(404)
    else:
        round_ = next((r for r in rounds if r.phase_at() == Phase.REVIEW), rounds[0] if rounds else None)
    if round_ is None:
        return render("reviews/queue.html", rounds=[], round=None)
    districts = list(db.session.scalars(sa.select(District).where(District.round_id == round_.id)
                                        .order_by(District.name)))
    district = None
    raw = request.args.get("wijk", "")
    if raw:
        district = next((d for d in districts if str(d.id) == raw), None)
        if district is None:
            abort(404)
    waiting_counts = dict(db.session.execute(
        sa.select(Proposal.district_id, sa.func.count()).where(
            Proposal.round_id == round_.id, Proposal.status.in_([s.value for s in ops.WAITING]))
        .group_by(Proposal.district_id)
    ).all())

    def listing(statuses: frozenset[Status]) -> list[Proposal]:
        query = sa.select(Proposal).where(Proposal.round_id == round_.id,
                                          Proposal.status.in_([s.value for s in statuses]))
        if district is not None:
            query = query.where(Proposal.district_id == district.id)
        return list(db.session.scalars(query.order_by(Proposal.published_at, Proposal.id)))

    waiting = listing(ops.WAITING)
    reviewed = listing(ops.REVIEWED)
    supporters = ops.support_counts([p.id for p in waiting + reviewed])
    low_support_count = 0
    if round_.min_supporters:
        published = list(db.session.scalars(sa.select(Proposal.id).where(
            Proposal.round_id == round_.id, Proposal.status == Status.PUBLISHED.value)))
        low_support_count = sum(1 for n in ops.support_counts(published).values() if n < round_.min_supporters)
    return render(
        "reviews/queue.html", rounds=rounds, round=round_, districts=districts, district=district,
        waiting_counts=waiting_counts, waiting=waiting, reviewed=reviewed, supporters=supporters,
        can_close_ideas=round_.min_supporters > 0 and ops.ideas_phase_over(round_) and not round_.rule_locked(),
        low_support_count=low_support_count, confirm_form=ConfirmForm(),
        status_label=lambda c: str(STATUSES.get(c, c)), block="results",
    )


@bp.route("/beheer/toets/voorstellen/<int:proposal_id>", methods=["GET", "POST"])
def review(proposal_id: int):  # type: ignore[no-untyped-def]
    require(Action.VIEW_REVIEW_QUEUE)
    proposal = _load(proposal_id)
    if request.method == "GET":
        return _page(proposal, ReviewForm(formdata=None, data=_form_data(proposal)))
    require(Action.REVIEW_PROPOSAL, proposal.round)
    form = ReviewForm()
    if not form.validate_on_submit():
        return _page(proposal, form, 422)
    verdict = ops.Verdict(form.verdict.data, form.cost_cents or 0, form.public_reason.data or "",
                          form.internal_note.data or "")
    try:
        ops.save_review(proposal, current_user.id, verdict, expected_version=form.version.data)
        db.session.commit()
    except ops.ReviewRefused as exc:
        db.session.rollback()
        form.verdict.errors = [*form.verdict.errors, str(REFUSALS.get(exc.code, exc.code))]
        return _page(_load(proposal_id), form, 422)
    except (ops.VersionConflict, StaleDataError, IntegrityError):
        db.session.rollback()
        return _conflict(proposal_id, form)
    flash(_("The verdict has been saved."), "success")
    return redirect(url_for("reviews.review", proposal_id=proposal_id), 303)


def _conflict(proposal_id: int, form: ReviewForm):  # type: ignore[no-untyped-def]
    """Someone else saved first: show their verdict, keep what this reviewer typed, and give
    the form the current version so that saving again is a deliberate choice."""
    db.session.expire_all()
    proposal = _load(proposal_id)
    form.version.data = proposal.version
    form.version.raw_data = [str(proposal.version)]
    latest = ops.latest_review(proposal)
    return _page(proposal, form, 409, conflict=latest or True)


@bp.post("/beheer/toets/voorstellen/<int:proposal_id>/samenvoegen")
def merge(proposal_id: int):  # type: ignore[no-untyped-def]
    require(Action.VIEW_REVIEW_QUEUE)
    duplicate = _load(proposal_id)
    require(Action.MERGE_DUPLICATES, duplicate.round)
    candidates = ops.merge_candidates(duplicate)
    merge_form = MergeForm(candidates)
    if not merge_form.validate_on_submit():
        return _page(duplicate, ReviewForm(formdata=None, data=_form_data(duplicate)), 422, merge_form=merge_form)
    original = db.session.get(Proposal, merge_form.original.data)
    if original is None:
        abort(404)
    try:
        moved = ops.merge(duplicate, original, current_user.id)
    except ops.ReviewRefused as exc:
        db.session.rollback()
        merge_form.original.errors = [*merge_form.original.errors, str(REFUSALS.get(exc.code, exc.code))]
        return _page(_load(proposal_id), ReviewForm(formdata=None, data=_form_data(duplicate)), 422,
                     merge_form=merge_form)
    db.session.commit()
    flash(_("The proposal has been merged into #%(id)d; %(num)d supporters were carried over.",
            id=original.id, num=moved), "success")
    return redirect(url_for("reviews.review", proposal_id=original.id), 303)


@bp.post("/beheer/toets/rondes/<slug>/te-weinig-steun")
def close_ideas(slug: str):  # type: ignore[no-untyped-def]
    require(Action.VIEW_REVIEW_QUEUE)
    round_ = db.session.scalar(sa.select(Round).where(Round.slug == slug))
    if round_ is None:
        abort(404)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        marked = ops.mark_low_support(round_, current_user.id)
    except ops.ReviewRefused as exc:
        db.session.rollback()
        flash(str(REFUSALS.get(exc.code, exc.code)), "error")
        return redirect(url_for("reviews.queue", ronde=slug), 303)
    db.session.commit()
    flash(_("%(num)d proposals were marked as not having enough support.", num=len(marked)), "success")
    return redirect(url_for("reviews.queue", ronde=slug), 303)
