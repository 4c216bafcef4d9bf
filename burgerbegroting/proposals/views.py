"""Proposals: browse, read, submit, edit, withdraw, support and react (residents)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Blueprint, Response, abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy.orm.exc import StaleDataError

from burgerbegroting.auth.models import User
from burgerbegroting.core.permissions import Action
from burgerbegroting.core.web import is_htmx, render, require
from burgerbegroting.extensions import db
from burgerbegroting.processes.models import Round
from burgerbegroting.processes.phases import Phase
from burgerbegroting.proposals import operations as ops
from burgerbegroting.proposals.forms import IMAGE_SLOTS, CommentForm, ConfirmForm, FilterForm, ProposalForm
from burgerbegroting.proposals.labels import STATUSES, THEMES, label
from burgerbegroting.proposals.models import MAX_IMAGES, Comment, Proposal, ProposalImage
from burgerbegroting.proposals.status import EDITABLE, Status

bp = Blueprint("proposals", __name__)

REFUSALS = {
    "not_ideas_phase": _l("Plans can only be sent in and changed while ideas are being collected."),
    "not_editable": _l("This plan can no longer be changed: the check has started."),
    "hidden": _l("This plan has been hidden by a moderator and cannot be changed."),
    "not_author": _l("Only the person who wrote this plan can do that."),
    "withdraw_phase": _l("A plan can only be withdrawn before voting starts."),
    "not_withdrawable": _l("This plan can no longer be withdrawn."),
    "unknown_district": _l("Choose one of the districts in the list."),
    "bad_cost": _l("Enter an amount of more than € 0."),
    "over_budget": _l("The cost is more than the whole budget of the district."),
    "unknown_theme": _l("Choose one of the themes in the list."),
    "missing_text": _l("Fill in the title, summary and description."),
    "too_many_images": _l("A proposal can have at most 3 images. Remove an image first."),
    "support_phase": _l("Plans can only be supported while ideas are being collected."),
    "support_status": _l("This plan cannot be supported."),
    "own_proposal": _l("You cannot support your own plan: as its author you support it already."),
    "already_supported": _l("You already support this plan. Everyone can support a plan once."),
    "not_supported": _l("You did not support this plan."),
    "comments_disabled": _l("Reactions are switched off in this round."),
    "comment_phase": _l("Reactions are closed in this phase of the round."),
    "comment_status": _l("You cannot react to this plan."),
    "comment_empty": _l("Write a reaction."),
    "comment_too_long": _l("A reaction has at most 2000 characters."),
    "unknown_parent": _l("You can only react to a reaction on this proposal."),
}


def refusal(code: str) -> str:
    return str(REFUSALS.get(code, code))


# Loading ------------------------------------------------------------------------------------

def load_round(slug: str) -> Round:
    round_ = db.session.scalars(sa.select(Round).where(Round.slug == slug)).first()
    if round_ is None or round_.phase_at() == Phase.DRAFT:
        abort(404)
    return round_


def _user_id() -> int | None:
    return current_user.id if current_user.is_authenticated else None


def is_author(proposal: Proposal) -> bool:
    return proposal.author_id is not None and proposal.author_id == _user_id()


def load_proposal(proposal_id: int) -> Proposal:
    """A proposal the visitor may see: drafts only for their author (everyone else: 404)."""
    proposal = db.session.get(Proposal, proposal_id)
    if proposal is None:
        abort(404)
    if proposal.status == Status.DRAFT.value and not is_author(proposal):
        abort(404)
    return proposal


def _require_author(proposal: Proposal) -> None:
    if not is_author(proposal):
        abort(403)


# Template helpers ---------------------------------------------------------------------------

def report_url(target_type: str, target_id: int) -> str | None:
    """The moderation page to report content, when that feature is installed."""
    if "moderation.report" not in current_app.view_functions:
        return None
    return url_for("moderation.report", target_type=target_type, target_id=target_id)


def map_config() -> dict[str, Any] | None:
    """Settings for the Leaflet map, or None: without a tile URL there is no map (address only)."""
    tile_url = current_app.config.get("MAP_TILE_URL", "")
    if not tile_url:
        return None
    return {
        "tile_url": tile_url,
        "attribution": current_app.config.get("MAP_ATTRIBUTION", ""),
        "center": current_app.config.get("MAP_CENTER", "52.09,5.12"),
        "zoom": current_app.config.get("MAP_ZOOM", 13),
    }


def _names(user_ids: set[int | None]) -> dict[int, str]:
    ids = {i for i in user_ids if i is not None}
    if not ids:
        return {}
    return {row[0]: row[1] for row in db.session.execute(sa.select(User.id, User.name).where(User.id.in_(ids)))}


def _helpers() -> dict[str, Any]:
    return {
        "status_label": lambda code: label(STATUSES, code),
        "theme_label": lambda code: label(THEMES, code),
        "report_url": report_url,
        "map": map_config(),
    }


def _cost_input(cents: int) -> str:
    return f"{cents // 100}" + (f",{cents % 100:02d}" if cents % 100 else "")


# Browsing -----------------------------------------------------------------------------------

def _page_number() -> int:
    raw = request.args.get("pagina", "1")
    return int(raw) if raw.isdigit() and len(raw) < 7 else 1


@bp.get("/rondes/<slug>/voorstellen")
def index(slug: str):  # type: ignore[no-untyped-def]
    round_ = load_round(slug)
    form = FilterForm(request.args, districts=round_.districts)
    valid = form.validate()
    district = form.value("wijk")
    result = ops.search_proposals(
        round_, district_id=int(district) if district else None, theme=form.value("thema") or None,
        status=form.value("status") or None, query=form.value("zoek"), sort=form.value("volgorde") or "newest",
        page=_page_number())
    args: dict[str, Any] = {k: v for k, v in request.args.items() if k != "pagina" and v}

    def page_url(n: int) -> str:
        page: dict[str, Any] = {"pagina": n} if n > 1 else {}
        return url_for("proposals.index", slug=slug, **args, **page)

    return render("proposals/index.html", status=200 if valid else 422, block="results", round=round_,
                  phase=round_.phase_at(), form=form, result=result, page_url=page_url, **_helpers())


@bp.get("/mijn-voorstellen")
@login_required
def mine():  # type: ignore[no-untyped-def]
    return render("proposals/mine.html", proposals=ops.proposals_of(current_user.id), **_helpers())


# Reading ------------------------------------------------------------------------------------

def _detail_context(proposal: Proposal, comment_form: CommentForm | None = None,
                    reply_to: int | None = None) -> dict[str, Any]:
    from burgerbegroting.results.forms import IMPLEMENTATION_LABELS
    from burgerbegroting.results.operations import updates_for
    from burgerbegroting.reviews.public import public_review

    threads = ops.comment_threads(proposal.id)
    authors = {proposal.author_id} | {c.author_id for c in threads} | {
        r.author_id for c in threads for r in c.replies}
    return {
        "proposal": proposal,
        "round": proposal.round,
        "phase": proposal.round.phase_at(),
        "is_author": is_author(proposal),
        "names": _names(authors),
        "threads": threads,
        "comment_form": comment_form or CommentForm(formdata=None),
        "reply_to": reply_to,
        "confirm_form": ConfirmForm(formdata=None),
        "public_review": public_review,
        "updates": updates_for([proposal.id]).get(proposal.id, []),
        "impl_labels": IMPLEMENTATION_LABELS,
        "editable": proposal.status in {s.value for s in EDITABLE},
        "comments_open": _comments_open(proposal),
        "can_comment_anyone": proposal.round.phase_at() in (Phase.IDEAS, Phase.REVIEW),
        **_support_context(proposal),
        **_helpers(),
    }


def _comments_open(proposal: Proposal) -> bool:
    from burgerbegroting.core.permissions import may
    from burgerbegroting.core.web import current_roles

    return (proposal.round.comments_enabled and not proposal.is_hidden and proposal.status != Status.DRAFT.value
            and may(current_roles(), Action.COMMENT, proposal.round.phase_at()))


def _support_context(proposal: Proposal, message: str | None = None) -> dict[str, Any]:
    return {
        "proposal": proposal,
        "support_count": ops.support_count(proposal.id),
        "supported": ops.has_supported(proposal.id, _user_id()),
        "support_open": proposal.status == Status.PUBLISHED.value and not proposal.is_hidden
        and proposal.round.phase_at() == Phase.IDEAS,
        "support_message": message,
        "confirm_form": ConfirmForm(formdata=None),
        "is_author": is_author(proposal),
    }


@bp.get("/voorstellen/<int:proposal_id>")
def detail(proposal_id: int):  # type: ignore[no-untyped-def]
    proposal = load_proposal(proposal_id)
    return render("proposals/detail.html", **_detail_context(proposal))


@bp.get("/voorstellen/<int:proposal_id>/afbeeldingen/<int:image_id>")
def image(proposal_id: int, image_id: int):  # type: ignore[no-untyped-def]
    proposal = load_proposal(proposal_id)
    picture = db.session.get(ProposalImage, image_id)
    if picture is None or picture.proposal_id != proposal.id:
        abort(404)
    if proposal.is_hidden and not is_author(proposal):
        abort(404)
    public = proposal.status != Status.DRAFT.value and not proposal.is_hidden
    response = Response(picture.data, mimetype=picture.content_type)
    response.headers["Cache-Control"] = "public, max-age=86400" if public else "private, no-cache"
    response.set_etag(picture.sha256)
    return response.make_conditional(request)


# Submitting and editing ---------------------------------------------------------------------

def _input(form: ProposalForm) -> ops.ProposalInput:
    return ops.ProposalInput(
        title=form.title.data, summary=form.summary.data, body=form.body.data, cost_cents=form.cost_cents or 0,
        district_id=int(form.district.data), theme=form.theme.data or None, address=form.address.data or "",
        location=form.location)


def _wants_publish() -> bool:
    return request.form.get("action") != "draft"


@bp.route("/rondes/<slug>/voorstellen/nieuw", methods=["GET", "POST"])
def new(slug: str):  # type: ignore[no-untyped-def]
    round_ = load_round(slug)
    require(Action.SUBMIT_PROPOSAL, round_)
    form = ProposalForm(districts=round_.districts)
    context = {"round": round_, "form": form, "proposal": None, "slots": IMAGE_SLOTS, **_helpers()}
    if not form.validate_on_submit():
        return render("proposals/form.html", status=422 if form.is_submitted() else 200, **context)
    publish = _wants_publish()
    try:
        proposal = ops.create_proposal(round_, current_user.id, _input(form), form.processed_images, publish=publish)
    except ops.ProposalRefused as exc:
        db.session.rollback()
        form.title.errors = [*form.title.errors, refusal(exc.code)]
        return render("proposals/form.html", status=422, **context)
    db.session.commit()
    if publish:
        flash(_("Thank you! Your plan has been published."), "success")
    else:
        flash(_("Your plan has been saved as a draft. Only you can see it."), "success")
    return redirect(url_for("proposals.detail", proposal_id=proposal.id), 303)


@bp.route("/voorstellen/<int:proposal_id>/bewerken", methods=["GET", "POST"])
def edit(proposal_id: int):  # type: ignore[no-untyped-def]
    proposal = load_proposal(proposal_id)
    require(Action.EDIT_PROPOSAL, proposal.round)
    _require_author(proposal)
    try:
        ops.check_editable(proposal, current_user.id)
    except ops.ProposalRefused as exc:
        flash(refusal(exc.code), "error")
        return redirect(url_for("proposals.detail", proposal_id=proposal.id), 303)
    round_ = proposal.round
    data = None if request.method == "POST" else {
        "title": proposal.title, "summary": proposal.summary, "body": proposal.body,
        "cost": _cost_input(proposal.cost_cents), "district": str(proposal.district_id),
        "theme": proposal.theme or "", "address": proposal.address,
        "latitude": "" if proposal.latitude is None else str(proposal.latitude),
        "longitude": "" if proposal.longitude is None else str(proposal.longitude),
        "version": str(proposal.version)}
    form = ProposalForm(districts=round_.districts, existing_images=proposal.images, data=data)
    context = {"round": round_, "form": form, "proposal": proposal, "slots": IMAGE_SLOTS, **_helpers()}
    if not form.validate_on_submit():
        return render("proposals/form.html", status=422 if form.is_submitted() else 200, **context)
    if form.version.data != str(proposal.version):
        return _conflict(context)
    try:
        ops.update_proposal(proposal, current_user.id, _input(form), form.processed_images,
                            [int(i) for i in form.remove_images.data or []], publish=_wants_publish())
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        return _conflict(context)
    except ops.ProposalRefused as exc:
        db.session.rollback()
        form.title.errors = [*form.title.errors, refusal(exc.code)]
        return render("proposals/form.html", status=422, **context)
    flash(_("Your changes have been saved."), "success")
    return redirect(url_for("proposals.detail", proposal_id=proposal.id), 303)


def _conflict(context: dict[str, Any]):  # type: ignore[no-untyped-def]
    db.session.expire_all()
    context["conflict"] = True
    return render("proposals/form.html", status=409, **context)


@bp.route("/voorstellen/<int:proposal_id>/intrekken", methods=["GET", "POST"])
def withdraw(proposal_id: int):  # type: ignore[no-untyped-def]
    proposal = load_proposal(proposal_id)
    require(Action.WITHDRAW_PROPOSAL, proposal.round)
    _require_author(proposal)
    form = ConfirmForm()
    if not form.validate_on_submit():
        return render("proposals/withdraw.html", status=422 if form.is_submitted() else 200, proposal=proposal,
                      form=form, **_helpers())
    try:
        ops.withdraw_proposal(proposal, current_user.id)
    except ops.ProposalRefused as exc:
        db.session.rollback()
        flash(refusal(exc.code), "error")
        return redirect(url_for("proposals.detail", proposal_id=proposal.id), 303)
    db.session.commit()
    flash(_("Your plan has been withdrawn."), "success")
    return redirect(url_for("proposals.detail", proposal_id=proposal.id), 303)


# Supporting ---------------------------------------------------------------------------------

def _support_response(proposal: Proposal, success: str | None, error: str | None):  # type: ignore[no-untyped-def]
    if is_htmx():
        db.session.expire_all()
        return render("proposals/detail.html", block="support",
                      **_support_context(proposal, message=error or success))
    flash(error or success or "", "error" if error else "success")
    return redirect(url_for("proposals.detail", proposal_id=proposal.id) + "#steun", 303)


@bp.post("/voorstellen/<int:proposal_id>/steun")
def support(proposal_id: int):  # type: ignore[no-untyped-def]
    proposal = load_proposal(proposal_id)
    require(Action.SUPPORT_PROPOSAL, proposal.round)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        ops.add_support(proposal, current_user.id)
        db.session.commit()
    except ops.ProposalRefused as exc:
        db.session.rollback()
        return _support_response(proposal, None, refusal(exc.code))
    return _support_response(proposal, _("Thank you for your support."), None)


@bp.post("/voorstellen/<int:proposal_id>/steun/intrekken")
def unsupport(proposal_id: int):  # type: ignore[no-untyped-def]
    proposal = load_proposal(proposal_id)
    require(Action.SUPPORT_PROPOSAL, proposal.round)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        ops.remove_support(proposal, current_user.id)
        db.session.commit()
    except ops.ProposalRefused as exc:
        db.session.rollback()
        return _support_response(proposal, None, refusal(exc.code))
    return _support_response(proposal, _("Your support has been withdrawn."), None)


# Reacting -----------------------------------------------------------------------------------

@bp.post("/voorstellen/<int:proposal_id>/reacties")
def comment(proposal_id: int):  # type: ignore[no-untyped-def]
    proposal = load_proposal(proposal_id)
    require(Action.COMMENT, proposal.round)
    form = CommentForm()
    parent_id = int(form.parent_id.data) if (form.parent_id.data or "").isdigit() and len(
        form.parent_id.data) < 10 else None
    if not form.validate_on_submit():
        return render("proposals/detail.html", status=422,
                      **_detail_context(proposal, comment_form=form, reply_to=parent_id))
    if parent_id is not None:
        parent = db.session.get(Comment, parent_id)
        if parent is None or parent.proposal_id != proposal.id:
            form.body.errors = [*form.body.errors, refusal("unknown_parent")]
            return render("proposals/detail.html", status=422,
                          **_detail_context(proposal, comment_form=form, reply_to=None))
    try:
        comment_ = ops.add_comment(proposal, current_user.id, form.body.data, parent_id)
    except ops.ProposalRefused as exc:
        db.session.rollback()
        flash(refusal(exc.code), "error")
        return redirect(url_for("proposals.detail", proposal_id=proposal.id) + "#reacties", 303)
    db.session.commit()
    flash(_("Your reaction has been placed."), "success")
    return redirect(url_for("proposals.detail", proposal_id=proposal.id) + f"#reactie-{comment_.id}", 303)


__all__ = ["MAX_IMAGES", "bp"]
