"""Counting (admin), results, exports, council dashboard, implementation and evaluation."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, Response, abort, current_app, flash, redirect, request, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from burgerbegroting.core import labels
from burgerbegroting.core.permissions import Action, may
from burgerbegroting.core.web import current_roles, render, require
from burgerbegroting.extensions import db
from burgerbegroting.processes.models import Round
from burgerbegroting.proposals import images as img
from burgerbegroting.proposals.forms import IMAGE_MESSAGES
from burgerbegroting.proposals.labels import STATUSES
from burgerbegroting.proposals.models import Proposal
from burgerbegroting.results import audit_hooks, operations, summary
from burgerbegroting.results.explain import euro, explain, explanations
from burgerbegroting.results.forms import IMPLEMENTATION_LABELS, ConfirmForm, PublishForm, UpdateForm
from burgerbegroting.results.models import ImplementationUpdate, TallyRun
from burgerbegroting.reviews.labels import VERDICTS

bp = Blueprint("results", __name__)
audit_hooks.connect_signals()

FUNDED = ("selected", "in_progress", "done")


def _locale() -> str:
    return str(get_locale() or "nl")


@bp.context_processor
def _money() -> dict[str, Any]:
    """``money(cents)``: the ``|euro`` filter, cached (results pages show thousands of amounts)."""
    locale = _locale()  # once per page

    def money(cents: int) -> str:
        return euro(cents, locale)
    return {"money": money}


def _round(slug: str) -> Round:
    round_ = db.session.scalars(sa.select(Round).where(Round.slug == slug)).first()
    if round_ is None:
        abort(404)
    return round_


def _published(round_: Round) -> bool:
    return may(current_roles(), Action.VIEW_RESULTS, round_.phase_at())


def _csv(rows: list[list[Any]], filename: str) -> Response:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    for row in rows:
        writer.writerow([_safe_cell(v) for v in row])
    return Response("\ufeff" + buf.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _safe_cell(value: Any) -> Any:
    """No formulas in spreadsheets (CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _euros(cents: int) -> str:
    return f"{cents / 100:.2f}"


def _euro_number(cents: int) -> Decimal:
    """An amount that may be negative, as a number: a text "-5.00" would be escaped as a
    formula by ``_safe_cell``."""
    return Decimal(cents).scaleb(-2)


# --- Counting (admin) ---------------------------------------------------------------------------


def _count_page(round_: Round, status: int = 200, publish_form: PublishForm | None = None, **extra: Any):  # type: ignore[no-untyped-def]
    results = summary.district_results(round_)
    return render("results/count.html", round=round_, results=results, phase=round_.phase_at().value,
                  confirm=ConfirmForm(formdata=None), publish_form=publish_form or PublishForm(formdata=None),
                  explain=explain, locale=_locale(), status=status, **extra)


@bp.get("/beheer/rondes/<slug>/telling")
def admin_count(slug: str):  # type: ignore[no-untyped-def]
    round_ = _round(slug)
    require(Action.RUN_COUNT, round_)
    return _count_page(round_)


@bp.post("/beheer/rondes/<slug>/telling")
def admin_count_run(slug: str):  # type: ignore[no-untyped-def]
    round_ = _round(slug)
    require(Action.RUN_COUNT, round_)
    form = ConfirmForm()
    if not form.validate_on_submit():
        return _count_page(round_, 422, error=_("The form has expired. Try again."))
    wanted = request.form.get("district", "")
    districts = {str(d.id): d for d in round_.districts}
    if wanted != "all" and wanted not in districts:
        return _count_page(round_, 422, error=_("Choose a district to count."))
    try:
        if wanted == "all":
            runs = operations.run_all(round_, current_user.id)
        else:
            runs = [operations.run_count(round_, districts[wanted], current_user.id)]
    except operations.NotCounting:
        db.session.rollback()
        return _count_page(round_, 409, error=_("This round is not being counted now."))
    db.session.commit()
    flash(ngettext("Counted %(num)d district. The result is not public yet.",
                   "Counted %(num)d districts. The result is not public yet.", len(runs)), "success")
    return redirect(url_for("results.admin_count", slug=round_.slug), 303)


@bp.post("/beheer/rondes/<slug>/publiceren")
def admin_publish(slug: str):  # type: ignore[no-untyped-def]
    round_ = _round(slug)
    require(Action.PUBLISH_RESULTS, round_)
    form = PublishForm()
    if not form.validate_on_submit():
        return _count_page(round_, 422, publish_form=form)
    try:
        operations.publish(round_, form.reason.data, current_user.id)
    except operations.NotCounted as exc:
        db.session.rollback()
        return _count_page(round_, 422, publish_form=form,
                           error=_("Count every district first. Not counted yet: %(names)s.",
                                   names=", ".join(exc.districts)))
    except operations.NotCounting:
        db.session.rollback()
        return _count_page(round_, 409, publish_form=form, error=_("This round is not being counted now."))
    db.session.commit()
    flash(_("The results are published."), "success")
    return redirect(url_for("results.results_page", slug=round_.slug), 303)


# --- Public results -----------------------------------------------------------------------------


@bp.get("/rondes/<slug>/uitslag")
def results_page(slug: str):  # type: ignore[no-untyped-def]
    round_ = _round(slug)
    if not _published(round_):
        return render("results/not_yet.html", round=round_, phase=round_.phase_at().value)
    results = summary.district_results(round_)
    return render("results/results.html", round=round_, results=results,
                  tables=_district_tables(round_, results, _locale()), chart=summary.chart_rows(results),
                  updates=operations.updates_for([p.id for r in results for p in r.selected]),
                  impl_labels=IMPLEMENTATION_LABELS)


# The explanation and "what if" tables of a district, as HTML. They are most of a big results
# page and change only with what is in the key: the stored tally (which never changes), the
# language, and the district's name and proposals' titles and costs as shown.
_TABLES: dict[tuple[Any, ...], Markup] = {}
_TABLES_MAX = 512  # about 25 kB each for 30 proposals: at most some 12 MB per process


def _district_tables(round_: Round, results: list[summary.DistrictResult], locale: str) -> dict[int, Markup]:
    template = current_app.jinja_env.get_template("results/_district_tables.html")

    def money(cents: int) -> str:
        return euro(cents, locale)

    out: dict[int, Markup] = {}
    for r in results:
        if r.tally is None:
            continue
        run = r.tally
        key = (run.id, run.input_sha256, run.rule, run.rule_version, locale, round_.ballot_type, r.district.name,
               tuple((p.id, p.title, p.effective_cost_cents) for p in r.proposals))
        html = _TABLES.get(key)
        if html is None:
            w = operations.what_if(run)
            rows = summary.proposal_rows(r, explanations(run, locale, round_.ballot_type), w.rules, w.chosen)
            # An .html template: autoescaped like every page (a test holds it).
            html = Markup(template.render(r=r, rows=rows, w=w, money=money))  # noqa: S704
            if len(_TABLES) >= _TABLES_MAX:
                _TABLES.clear()
            _TABLES[key] = html
        out[r.district.id] = html
    return out


def _published_tally(round_: Round, district_id: int) -> TallyRun:
    if not _published(round_):
        abort(404)
    run = operations.latest_tallies(round_).get(district_id)
    if run is None:
        abort(404)
    return run


@bp.get("/rondes/<slug>/uitslag/<int:district_id>.pb")
def results_pb(slug: str, district_id: int):  # type: ignore[no-untyped-def]
    run = _published_tally(_round(slug), district_id)
    return Response(run.pb_text, mimetype="text/plain",
                    headers={"Content-Disposition": f'attachment; filename="{slug}-{district_id}.pb"'})


@bp.get("/rondes/<slug>/uitslag.csv")
def results_csv(slug: str):  # type: ignore[no-untyped-def]
    round_ = _round(slug)
    if not _published(round_):
        abort(404)
    locale = _locale()
    rows: list[list[Any]] = [["district", "proposal_id", "title", "cost_eur", "selected", "status", "rule",
                              "input_sha256", "explanation"]]
    for r in summary.district_results(round_):
        if r.tally is None:
            continue
        explanations = r.tally.outcome["explanations"]
        chosen = set(r.tally.selected_ids)
        for p in r.proposals:
            rows.append([r.district.name, p.id, p.title, _euros(p.effective_cost_cents),
                         "yes" if p.id in chosen else "no", p.status, r.tally.rule, r.tally.input_sha256,
                         explain(explanations.get(str(p.id), {}), locale, round_.ballot_type)])
    return _csv(rows, f"{slug}-uitslag.csv")


# --- Council dashboard --------------------------------------------------------------------------


def _dashboard_data() -> list[dict[str, Any]]:
    rounds = db.session.scalars(sa.select(Round).order_by(Round.created_at.desc(), Round.id.desc())).all()
    data = []
    for round_ in rounds:
        results = summary.district_results(round_)
        ballots = sum(r.turnout.ballots for r in results)
        eligible = [r.turnout.eligible for r in results]
        data.append({
            "round": round_, "phase": round_.phase_at().value, "results": results,
            "chart": summary.chart_rows(results), "statuses": summary.status_counts(round_),
            "verdicts": summary.verdict_counts(round_), "ballots": ballots,
            "eligible": sum(e for e in eligible if e) if all(eligible) and eligible else None,
            "budget": round_.total_budget_cents if hasattr(round_, "total_budget_cents") else 0,
            "allocated": sum(p.effective_cost_cents for r in results for p in r.selected)
            if _published(round_) else None,
        })
    return data


@bp.get("/raad")
def council_dashboard():  # type: ignore[no-untyped-def]
    require(Action.VIEW_COUNCIL_DASHBOARD)
    return render("results/council.html", rounds=_dashboard_data(), status_label=lambda s: labels.label(STATUSES, s),
                  verdict_label=lambda v: labels.label(VERDICTS, v))


@bp.get("/raad.csv")
def council_csv():  # type: ignore[no-untyped-def]
    require(Action.VIEW_COUNCIL_DASHBOARD)
    rows: list[list[Any]] = [["round", "phase", "district", "budget_eur", "ballots", "online", "paper", "eligible",
                              "turnout_percent", "allocated_eur"]]
    for item in _dashboard_data():
        for r in item["results"]:
            if item["allocated"] is None:  # not published: no turnout or results yet
                rows.append([item["round"].name, item["phase"], r.district.name, _euros(r.district.budget_cents),
                             "", "", "", "", "", ""])
                continue
            pct = r.turnout.percent
            rows.append([item["round"].name, item["phase"], r.district.name, _euros(r.district.budget_cents),
                         r.turnout.ballots, r.turnout.online, r.turnout.paper,
                         r.turnout.eligible if r.turnout.eligible is not None else "",
                         f"{pct:.1f}" if pct is not None else "", _euros(r.used_cents)])
    return _csv(rows, "raadsdashboard.csv")


@bp.get("/raad/rapport.pdf")
def council_pdf():  # type: ignore[no-untyped-def]
    require(Action.VIEW_COUNCIL_DASHBOARD)
    from flask import render_template

    try:
        import weasyprint
    except ImportError:  # pragma: no cover - the system libraries are missing
        abort(404)
    html = render_template("results/council_report.html", rounds=_dashboard_data(),
                           status_label=lambda s: labels.label(STATUSES, s))
    pdf = weasyprint.HTML(string=html, base_url=request.host_url).write_pdf()
    return Response(pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": 'attachment; filename="raadsrapport.pdf"'})


# --- Implementation -----------------------------------------------------------------------------


def _funded_proposal(proposal_id: int) -> tuple[Proposal, Round]:
    proposal = db.session.get(Proposal, proposal_id)
    if proposal is None or proposal.status not in FUNDED:
        abort(404)
    return proposal, db.session.get(Round, proposal.round_id)  # type: ignore[return-value]


def _update_page(proposal: Proposal, round_: Round, form: UpdateForm, status: int = 200):  # type: ignore[no-untyped-def]
    return render("results/update.html", proposal=proposal, round=round_, form=form,
                  updates=operations.updates_for([proposal.id]).get(proposal.id, []),
                  impl_labels=IMPLEMENTATION_LABELS, status=status)


@bp.route("/beheer/voorstellen/<int:proposal_id>/uitvoering", methods=["GET", "POST"])
def admin_update(proposal_id: int):  # type: ignore[no-untyped-def]
    proposal, round_ = _funded_proposal(proposal_id)
    require(Action.UPDATE_IMPLEMENTATION, round_)
    form = UpdateForm()
    if request.method == "GET":
        return _update_page(proposal, round_, UpdateForm(formdata=None))
    if not form.validate_on_submit():
        return _update_page(proposal, round_, form, 422)
    photo: bytes | None = None
    photo_type: str | None = None
    upload: Any = form.photo.data
    if upload is not None and upload.filename:
        try:
            processed = img.process_image(upload.read(img.MAX_UPLOAD_BYTES + 1))
        except img.ImageRejected as exc:
            form.photo.errors = [str(IMAGE_MESSAGES.get(exc.code, exc.code))]
            return _update_page(proposal, round_, form, 422)
        photo, photo_type = processed.data, processed.content_type
    operations.add_update(proposal, form.status.data, form.text.data, current_user.id, photo, photo_type,
                          actual_cost_cents=form.actual_cost_cents)
    db.session.commit()
    flash(_("The update is published."), "success")
    return redirect(url_for("results.admin_update", proposal_id=proposal.id), 303)


@bp.get("/uitvoering/<int:update_id>/foto")
def update_photo(update_id: int):  # type: ignore[no-untyped-def]
    update = db.session.get(ImplementationUpdate, update_id)
    if update is None or update.photo is None:
        abort(404)
    return Response(update.photo, mimetype=update.photo_type or "application/octet-stream",
                    headers={"Cache-Control": "public, max-age=86400"})


# --- Evaluation ---------------------------------------------------------------------------------


def _evaluation(round_: Round) -> dict[str, Any]:
    results = summary.district_results(round_)
    statuses = summary.status_counts(round_)
    reviewed = sum(n for s, n in statuses.items() if s not in ("draft", "published", "in_review", "withdrawn",
                                                                  "not_enough_support", "merged"))
    feasible = sum(n for s, n in statuses.items() if s in ("feasible", "selected", "not_selected", "in_progress",
                                                           "done"))
    funded = [p for r in results for p in r.selected]
    updates = operations.updates_for([p.id for p in funded])
    actual_costs = {p.id: cost for p in funded
                    if (cost := operations.actual_cost(updates.get(p.id, []))) is not None}
    return {"results": results, "statuses": statuses, "participants": summary.participants(round_),
            "proposals": sum(n for s, n in statuses.items() if s != "draft"),
            "feasible_share": (100.0 * feasible / reviewed) if reviewed else None,
            "funded": funded, "planned": sum(p.effective_cost_cents for p in funded),
            "actual_costs": actual_costs, "costed": len(actual_costs), "actual": sum(actual_costs.values()),
            "planned_costed": sum(p.effective_cost_cents for p in funded if p.id in actual_costs),
            "updates": updates, "chart": summary.chart_rows(results)}


@bp.get("/rondes/<slug>/evaluatie")
def evaluation(slug: str):  # type: ignore[no-untyped-def]
    round_ = _round(slug)
    if not _published(round_):
        return render("results/not_yet.html", round=round_, phase=round_.phase_at().value)
    return render("results/evaluation.html", round=round_, ev=_evaluation(round_), impl_labels=IMPLEMENTATION_LABELS,
                  status_label=lambda s: labels.label(STATUSES, s))


@bp.get("/rondes/<slug>/evaluatie.csv")
def evaluation_csv(slug: str):  # type: ignore[no-untyped-def]
    round_ = _round(slug)
    if not _published(round_):
        abort(404)
    ev = _evaluation(round_)
    rows: list[list[Any]] = [["proposal_id", "title", "district_id", "planned_cost_eur", "status",
                              "latest_update", "latest_update_at", "actual_cost_eur", "difference_eur"]]
    for p in ev["funded"]:
        latest = (ev["updates"].get(p.id) or [None])[0]
        actual = ev["actual_costs"].get(p.id)
        rows.append([p.id, p.title, p.district_id, _euros(p.effective_cost_cents), p.status,
                     latest.status if latest else "", latest.created_at.isoformat() if latest else "",
                     _euros(actual) if actual is not None else "",
                     _euro_number(actual - p.effective_cost_cents) if actual is not None else ""])
    return _csv(rows, f"{slug}-evaluatie.csv")
