"""The ballot: choose → review → cast → receipt; the receipt check; paper ballots for staff."""

from __future__ import annotations

from typing import Any, NamedTuple

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from burgerbegroting.ballots import messages, paper
from burgerbegroting.ballots import operations as ballots
from burgerbegroting.ballots.forms import PaperForm, ReceiptForm
from burgerbegroting.ballots.types import Problem, Result
from burgerbegroting.core import formatting
from burgerbegroting.core.permissions import AFTER_PUBLICATION, Action
from burgerbegroting.core.web import render, require
from burgerbegroting.extensions import db, limiter
from burgerbegroting.processes.models import District, Round
from burgerbegroting.processes.phases import Phase
from burgerbegroting.proposals.models import Proposal
from burgerbegroting.voters import flow
from burgerbegroting.voters.views import _vote_rate_limit, closed_page, load_round, load_round_by_slug, refused

bp = Blueprint("ballots", __name__)

GENERAL = "ballot"  # anchor of the ballot as a whole, for the error summary


def _euro(cents: int) -> str:
    from flask_babel import get_locale

    return formatting.euro(cents, str(get_locale() or "nl"))


def _form_lists() -> MultiDict[str, str]:
    return request.form if request.method == "POST" else MultiDict()


def lists(raw: MultiDict[str, str]) -> dict[str, list[str]]:
    """name → every posted value (what the ballot types read)."""
    return {key: raw.getlist(key) for key in raw}


def sheet(round_: Round, district: District, raw: MultiDict[str, str], result: Result | None = None,
          field_prefix: str = "", proposals: list[Proposal] | None = None) -> dict[str, Any]:
    """Everything the ballot fields need: the plans, what was filled in, the budget, the problems."""
    if proposals is None:
        proposals = ballots.ballot_options(district)
    limits = ballots.limits_for(round_, district)
    by_id = {p.id: p for p in proposals}
    choices = result.choices if result else {}
    chosen_cost = sum(by_id[i].effective_cost_cents for i in choices if i in by_id)
    if round_.ballot_type in ("approval", "knapsack"):
        checked = set(raw.getlist("choice"))
        chosen_cost = sum(p.effective_cost_cents for p in proposals if str(p.id) in checked)
    given = sum(v for v in choices.values() if v > 0) if round_.ballot_type == "cumulative" else 0
    per_option: dict[int, list[str]] = {}
    general: list[str] = []
    for problem, option_id in (result.problems if result else []):
        text = messages.problem_message(problem, limits, chosen_cost, given, euro=_euro)
        if option_id is not None and option_id in by_id and problem != Problem.UNKNOWN_OPTION:
            if text not in per_option.setdefault(option_id, []):
                per_option[option_id].append(text)
        elif text not in general:
            general.append(text)
    summary = [(GENERAL, text) for text in general]
    summary += [(f"{field_prefix}{FIELD_NAME[round_.ballot_type]}-{pid}", text)
                for pid in by_id for text in per_option.get(pid, [])]
    max_rank = limits.max_choices if limits.max_choices is not None else len(proposals)
    return {"proposals": proposals, "limits": limits, "raw": raw, "per_option": per_option, "general": general,
            "summary": summary, "budget": _budget(district, chosen_cost), "max_rank": max(1, min(max_rank,
                                                                                                len(proposals))),
            "points_left": (limits.points_total or 0) - given, "kind": round_.ballot_type}


# The form field of a choice, per ballot type (see ballots/types.py).
FIELD_NAME = {"approval": "choice", "knapsack": "choice", "cumulative": "points", "ranking": "rank"}


def _budget(district: District, chosen_cost: int) -> dict[str, int]:
    return {"total": district.budget_cents, "chosen": chosen_cost, "left": district.budget_cents - chosen_cost}


def _voter_or_redirect(round_: Round) -> flow.Voter | Any:
    try:
        return flow.current(round_)
    except flow.NotStarted:
        flash(_("Enter your voting code first."), "info")
        return redirect(url_for("voters.enter", slug=round_.slug), 303)
    except flow.HasVoted:
        return render("voters/has_voted.html", 409, round=round_)


def _open_round(slug: str) -> Round | Any:
    round_ = load_round_by_slug(slug)
    if round_.decision != "vote" or round_.phase_at() != Phase.VOTING:
        return closed_page(round_)
    return round_


class _Open(NamedTuple):
    round: Round
    voter: flow.Voter


def _round_and_voter(slug: str) -> _Open | Any:
    """The round in its voting phase and the voter of this session, or the page to show instead."""
    round_ = _open_round(slug)
    if not isinstance(round_, Round):
        return round_
    voter = _voter_or_redirect(round_)
    if not isinstance(voter, flow.Voter):
        return voter
    return _Open(round_, voter)


@bp.route("/stemmen/<slug>/stembiljet", methods=["GET", "POST"])
def ballot(slug: str):  # type: ignore[no-untyped-def]
    loaded = _round_and_voter(slug)
    if not isinstance(loaded, _Open):
        return loaded
    round_, voter = loaded
    raw = _form_lists()
    proposals = ballots.ballot_options(voter.district)  # once per request
    if request.method == "GET" or "change" in raw:
        return render("ballots/ballot.html", round=round_, district=voter.district,
                      **sheet(round_, voter.district, raw, proposals=proposals))
    result = ballots.read_ballot(round_, voter.district, lists(raw), ballots.options_for(proposals))
    if not result.valid:
        return render("ballots/ballot.html", 422, round=round_, district=voter.district,
                      **sheet(round_, voter.district, raw, result, proposals=proposals))
    return _review(round_, voter.district, result, proposals)


def _review(round_: Round, district: District, result: Result,  # type: ignore[no-untyped-def]
            on_ballot: list[Proposal]):
    proposals = {p.id: p for p in on_ballot}
    chosen = [(proposals[pid], value) for pid, value in result.choices.items() if pid in proposals]
    if round_.ballot_type == "ranking":
        chosen.sort(key=lambda item: item[1])
    else:
        chosen.sort(key=lambda item: item[0].id)
    name = FIELD_NAME[round_.ballot_type]
    hidden = ([("choice", str(pid)) for pid in sorted(result.choices)] if name == "choice"
              else [(f"{name}-{pid}", str(v)) for pid, v in sorted(result.choices.items())])
    cost = sum(p.effective_cost_cents for p, _v in chosen)
    return render("ballots/review.html", round=round_, district=district, chosen=chosen, hidden=hidden,
                  budget=_budget(district, cost))


@bp.post("/stemmen/<slug>/budget")
def budget(slug: str):  # type: ignore[no-untyped-def]
    """The budget bar for what is ticked now (htmx, on every change of a knapsack ballot)."""
    loaded = _round_and_voter(slug)
    if not isinstance(loaded, _Open):
        return loaded
    voter = loaded.voter
    checked = set(request.form.getlist("choice")[:500])
    cost = sum(p.effective_cost_cents for p in ballots.ballot_options(voter.district) if str(p.id) in checked)
    # Vary: HX-Request is added to every HTML response (core/security.py).
    return render("ballots/_budget.html", budget=_budget(voter.district, cost))


@bp.post("/stemmen/<slug>/uitbrengen")
def cast(slug: str):  # type: ignore[no-untyped-def]
    loaded = _round_and_voter(slug)
    if not isinstance(loaded, _Open):
        return loaded
    round_, voter = loaded
    raw = request.form
    options = ballots.ballot_option_costs(voter.district)  # once per cast, in the cast's transaction
    result = ballots.read_ballot(round_, voter.district, lists(raw), options)
    if not result.valid:
        return render("ballots/ballot.html", 422, round=round_, district=voter.district,
                      **sheet(round_, voter.district, raw, result))
    # The phase and the code are checked again inside this transaction (cast_ballot and its
    # conditional UPDATE); any refusal below rolls the whole transaction back, so no savepoint.
    slug, round_id = round_.slug, round_.id  # not expired by the commit: no reload afterwards
    try:
        receipt = ballots.cast_ballot(round_, voter.district, voter.voter_ref, result.choices, "online",
                                      code=voter.code, options=options, savepoint=False)
    except ballots.AlreadyVoted:
        db.session.rollback()
        flow.forget()
        return render("voters/has_voted.html", 409, round=round_)
    except ballots.VotingClosed:
        db.session.rollback()
        return closed_page(round_)
    except ballots.BallotInvalid as exc:
        db.session.rollback()
        return render("ballots/ballot.html", 422, round=round_, district=voter.district,
                      **sheet(round_, voter.district, raw, exc.result))
    db.session.commit()
    flow.forget()
    flow.keep_receipt(round_id, receipt or "")
    return redirect(url_for("ballots.receipt", slug=slug), 303)


@bp.get("/stemmen/<slug>/bewijs")
def receipt(slug: str):  # type: ignore[no-untyped-def]
    round_ = load_round_by_slug(slug)
    code = flow.take_receipt(round_)
    formatted = f"{code[:5]}-{code[5:]}" if code else None
    response = render("ballots/receipt.html", round=round_, receipt=formatted)
    return (*response, {"Cache-Control": "no-store"})


@bp.route("/stemmen/<slug>/controle", methods=["GET", "POST"])
@limiter.limit(_vote_rate_limit, methods=["POST"], deduct_when=refused)
def lookup(slug: str):  # type: ignore[no-untyped-def]
    round_ = load_round_by_slug(slug)
    published = round_.phase_at() in AFTER_PUBLICATION
    form = ReceiptForm()
    if not published:
        if request.method == "POST":
            return render("ballots/lookup.html", 409, round=round_, form=form, published=False)
        return render("ballots/lookup.html", round=round_, form=form, published=False)
    if not form.validate_on_submit():
        return render("ballots/lookup.html", 422 if form.is_submitted() else 200, round=round_, form=form,
                      published=True)
    found = ballots.find_by_receipt(round_, form.receipt.data)
    if found is None:
        form.receipt.errors.append(_("There is no ballot with this receipt code in this round. Check the code."))
        return render("ballots/lookup.html", 422, round=round_, form=form, published=True)
    titles = {p.id: p for p in db.session.query(Proposal).filter(
        Proposal.id.in_([c.proposal_id for c in found.choices]))}
    return render("ballots/lookup.html", round=round_, form=form, published=True, found=found, titles=titles)


# Paper ballots (staff). -------------------------------------------------------------------------

PAPER_MESSAGES = {
    "closed": lambda: _("Paper ballots can be entered only while voting or counting."),
    "unknown_code": lambda: _("There is no such code in this round. Check the code on the paper."),
    "other_district": lambda: _("This code belongs to another district. Choose that district."),
    "voted_online": lambda: _("This code voted online. The paper ballot is invalid; put it aside. Nothing was "
                              "stored."),
    "used": lambda: _("This paper has been entered and counted already."),
    "revoked": lambda: _("This code was replaced by a new letter. The paper ballot is invalid; put it aside."),
    "same_person": lambda: _("You entered this paper already. A colleague must enter it the second time."),
    "no_match": lambda: _("Your entry matches neither of the two earlier entries. Check the paper very carefully "
                          "and enter it again, or ask the coordinator."),
    "busy": lambda: _("A colleague is entering this paper at this moment. Try again in a minute."),
}

OUTCOME_MESSAGES = {
    paper.Outcome.FIRST: lambda: _("Entry saved. A colleague must now enter the same paper a second time."),
    paper.Outcome.CAST: lambda: _("Both entries are the same. The paper ballot has been counted."),
    paper.Outcome.MISMATCH: lambda: _("The two entries are different. Put this paper on the pile for a third "
                                      "colleague, who enters it once more."),
    paper.Outcome.RESOLVED: lambda: _("Your entry matches one of the two earlier entries. The paper ballot has "
                                      "been counted."),
}


@bp.get("/beheer/rondes/<int:round_id>/papier")
def paper_index(round_id: int):  # type: ignore[no-untyped-def]
    round_ = load_round(round_id)
    require(Action.ENTER_PAPER_BALLOT, round_)
    return render("ballots/paper_index.html", round=round_, waiting=paper.waiting_counts(round_))


@bp.route("/beheer/rondes/<int:round_id>/papier/<int:district_id>", methods=["GET", "POST"])
def paper_entry(round_id: int, district_id: int):  # type: ignore[no-untyped-def]
    round_ = load_round(round_id)
    require(Action.ENTER_PAPER_BALLOT, round_)
    district = db.session.get(District, district_id)
    if district is None or district.round_id != round_.id:
        abort(404)
    form = PaperForm()
    raw = _form_lists()

    def page(status: int, result: Result | None = None):  # type: ignore[no-untyped-def]
        return render("ballots/paper_entry.html", status, round=round_, district=district, form=form,
                      waiting=paper.waiting_counts(round_).get(district.id, {"once": 0, "mismatch": 0}),
                      **sheet(round_, district, raw if status != 200 else MultiDict(), result))

    if not form.validate_on_submit():
        return page(422 if form.is_submitted() else 200)
    choices: dict[int, int] | None = None
    if not form.invalid.data:
        result = ballots.read_ballot(round_, district, lists(raw))
        if not result.valid:
            return page(422, result)
        choices = result.choices
    try:
        outcome = paper.enter_paper(round_, district, form.code.data, choices, actor_id=current_user.id)
    except paper.PaperRefused as exc:
        db.session.rollback()
        form.code.errors.append(PAPER_MESSAGES.get(exc.reason, PAPER_MESSAGES["unknown_code"])())
        return page(409 if exc.reason in ("voted_online", "used", "same_person", "busy") else 422)
    except ballots.AlreadyVoted:
        db.session.rollback()
        form.code.errors.append(PAPER_MESSAGES["used"]())
        return page(409)
    except ballots.BallotInvalid as exc:
        db.session.rollback()
        return page(422, exc.result)
    db.session.commit()
    flash(OUTCOME_MESSAGES[outcome](), "success")
    return redirect(url_for("ballots.paper_entry", round_id=round_.id, district_id=district.id), 303)
