"""Staff record a panel's decisions, for rounds where a panel decides instead of a vote.

Registers its routes on the ``processes`` blueprint (imported at the end of views.py).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError
from wtforms import RadioField, SelectChoice, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from burgerbegroting.core.forms import BaseForm, strip
from burgerbegroting.core.permissions import Action
from burgerbegroting.core.web import render, require
from burgerbegroting.extensions import db
from burgerbegroting.processes import panel
from burgerbegroting.processes.models import District, Round
from burgerbegroting.processes.views import bp
from burgerbegroting.proposals.models import Proposal


class PanelDecisionForm(BaseForm):
    """One proposal's decision. The page has one form per proposal, each with its own prefix,
    so the field ids are unique; the CSRF token is checked for every POST by CSRFProtect."""

    class Meta:
        csrf = False

    decision = RadioField(
        _l("Decision of the panel"),
        choices=[SelectChoice("selected", _l("Selected")), SelectChoice("not_selected", _l("Not selected"))],
        validators=[InputRequired(_l("Choose whether the panel selected this proposal."))],
        validate_choice=True,
    )
    reason = TextAreaField(
        _l("Reason"), filters=[strip],
        validators=[DataRequired(_l("Enter the panel's reason.")),
                    Length(max=panel.REASON_MAX, message=_l("A reason has at most 1000 characters."))],
        description=_l("Shown on the proposal's page."),
        render_kw={"rows": 3},
    )


def _prefix(proposal: Proposal) -> str:
    return f"p{proposal.id}"


def _load_panel_round(slug: str) -> Round:
    round_ = db.session.scalars(sa.select(Round).where(Round.slug == slug)).first()
    if round_ is None or round_.decision != "panel":
        abort(404)
    return round_


def _proposals(round_: Round) -> list[Proposal]:
    statuses = [s.value for s in panel.UNDECIDED | panel.DECIDED]
    return list(db.session.scalars(
        sa.select(Proposal).join(District, Proposal.district_id == District.id)
        .where(Proposal.round_id == round_.id, Proposal.status.in_(statuses))
        .order_by(District.name, Proposal.title, Proposal.id)
    ))


def _panel_page(round_: Round, bound: PanelDecisionForm | None = None, bound_id: int | None = None,
                status: int = 200) -> tuple[str, int]:
    groups: list[dict[str, Any]] = []
    for proposal in _proposals(round_):
        if not groups or groups[-1]["district"].id != proposal.district_id:
            groups.append({"district": proposal.district, "rows": []})
        form = None
        if proposal.status in {s.value for s in panel.UNDECIDED}:
            form = bound if bound is not None and bound_id == proposal.id else \
                PanelDecisionForm(formdata=None, prefix=_prefix(proposal))
        reason = next((e.public_note for e in reversed(proposal.history)
                       if e.kind == "status" and e.to_status == proposal.status), "")
        groups[-1]["rows"].append({"proposal": proposal, "form": form, "reason": reason})
    return render("processes/panel.html", status=status, round=round_, groups=groups, bound=bound)


@bp.get("/beheer/rondes/<slug>/panel")
def admin_panel(slug: str):  # type: ignore[no-untyped-def]
    round_ = _load_panel_round(slug)
    require(Action.RECORD_PANEL_DECISION, round_)
    return _panel_page(round_)


@bp.post("/beheer/rondes/<slug>/panel/<int:proposal_id>")
def admin_panel_decide(slug: str, proposal_id: int):  # type: ignore[no-untyped-def]
    round_ = _load_panel_round(slug)
    require(Action.RECORD_PANEL_DECISION, round_)
    proposal = db.session.get(Proposal, proposal_id)
    if proposal is None or proposal.round_id != round_.id:
        abort(404)
    back = url_for("processes.admin_panel", slug=round_.slug)
    if proposal.status not in {s.value for s in panel.UNDECIDED}:
        flash(_("The panel's decision on “%(title)s” has already been recorded, or it is not a feasible "
                "proposal. A recorded decision cannot be changed.", title=proposal.title), "error")
        return redirect(back, code=303)
    form = PanelDecisionForm(prefix=_prefix(proposal))
    if not form.validate():
        return _panel_page(round_, bound=form, bound_id=proposal.id, status=422)
    selected = form.decision.data == "selected"
    try:
        panel.record_panel_decision(round_, proposal, selected, form.reason.data or "", current_user.id)
        db.session.commit()
    except (panel.PanelError, StaleDataError):
        # Someone else recorded a decision at the same moment (the proposal's version changed).
        db.session.rollback()
        flash(_("The panel's decision on “%(title)s” could not be recorded. Reload the page and try again.",
                title=proposal.title), "error")
        return redirect(back, code=303)
    if selected:
        flash(_("Recorded: the panel selected “%(title)s”.", title=proposal.title), "success")
    else:
        flash(_("Recorded: the panel did not select “%(title)s”.", title=proposal.title), "success")
    return redirect(back, code=303)
