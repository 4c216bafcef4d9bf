"""Actual cost of realised plans: entered by staff with an implementation update, shown beside
the planned cost on the proposal, the evaluation page and its CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from decimal import Decimal

import pytest
import sqlalchemy as sa

from burgerbegroting.core.audit import AuditEvent
from burgerbegroting.core.timeutil import utcnow
from burgerbegroting.extensions import db
from burgerbegroting.proposals.models import MAX_COST_CENTS
from burgerbegroting.results import operations as ops
from burgerbegroting.results.models import ImplementationUpdate
from tests.conftest import csrf_from
from tests.results.conftest import make_counting_round
from tests.results.test_web import client_as, count_and_publish, text


def _published(app):  # type: ignore[no-untyped-def]
    round_, _district, proposals, _ = make_counting_round()
    admin = count_and_publish(app, round_)
    chosen = next(p for p in proposals if p.status == "selected")
    loser = next(p for p in proposals if p.status == "not_selected")
    return round_, admin, chosen, loser


def _post(client, proposal_id: int, **fields):  # type: ignore[no-untyped-def]
    url = f"/beheer/voorstellen/{proposal_id}/uitvoering"
    token = csrf_from(text(client.get(url)))
    return client.post(url, data={"csrf_token": token, "status": "in_progress", "text": "Besteld.", **fields})


def _updates(proposal_id: int) -> list[ImplementationUpdate]:
    return list(db.session.scalars(sa.select(ImplementationUpdate)
                                   .where(ImplementationUpdate.proposal_id == proposal_id)))


def test_actual_cost_is_stored_audited_and_shown_beside_the_planned_cost(app):
    round_, admin, chosen, _ = _published(app)
    planned = chosen.effective_cost_cents
    page = text(app.test_client().get(f"/voorstellen/{chosen.id}"))
    assert "Actual cost" not in page and "Werkelijke kosten" not in page  # no updates yet

    assert _post(admin, chosen.id, actual_cost="").status_code == 303  # optional
    assert _post(admin, chosen.id, status="done", text="Klaar.", actual_cost="€ 12.345,67").status_code == 303
    costs = sorted((u.actual_cost_cents is not None, u.actual_cost_cents) for u in _updates(chosen.id))
    assert costs == [(False, None), (True, 1_234_567)]
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "implementation_updated",
                                                           AuditEvent.target == f"proposal:{chosen.id}")
                               .order_by(AuditEvent.id.desc())).first()
    assert event is not None
    details = json.loads(event.payload)
    assert details["actual_cost_cents"] == 1_234_567 and details["planned_cost_cents"] == planned

    detail = text(app.test_client().get(f"/voorstellen/{chosen.id}"))
    assert "Werkelijke kosten" in detail and "12.345,67" in detail  # Dutch by default

    evaluation = text(app.test_client().get(f"/rondes/{round_.slug}/evaluatie"))
    assert "12.345,67" in evaluation and "Werkelijke kosten" in evaluation
    rows = list(csv.reader(io.StringIO(text(app.test_client().get(f"/rondes/{round_.slug}/evaluatie.csv"))
                                       .lstrip("\ufeff")), delimiter=";"))
    header = rows[0]
    ours = next(r for r in rows[1:] if r[0] == str(chosen.id))
    assert ours[header.index("planned_cost_eur")] == f"{planned / 100:.2f}"
    assert ours[header.index("actual_cost_eur")] == "12345.67"
    assert Decimal(ours[header.index("difference_eur")]) == (Decimal(1_234_567) - planned) / 100
    others = [r for r in rows[1:] if r[0] != str(chosen.id)]
    assert all(r[header.index("actual_cost_eur")] == "" for r in others)

    # A later amount replaces the earlier one; an update without one keeps it.
    assert _post(admin, chosen.id, status="done", text="Eindafrekening.", actual_cost="9000").status_code == 303
    assert _post(admin, chosen.id, status="done", text="Bordje geplaatst.").status_code == 303
    assert ops.actual_cost(ops.updates_for([chosen.id])[chosen.id]) == 9_000_00


def test_actual_cost_in_english(app):
    _round, admin, chosen, _ = _published(app)
    assert _post(admin, chosen.id, actual_cost="1,234.50").status_code == 303
    client = app.test_client()
    token = csrf_from(text(client.get("/")))
    client.post("/language", data={"csrf_token": token, "lang": "en", "next": "/"})
    detail = text(client.get(f"/voorstellen/{chosen.id}"))
    assert "Actual cost" in detail and "1,234.50" in detail and "Planned cost" in detail


@pytest.mark.parametrize(("amount", "message"), [
    ("-50", "cannot be negative"),
    ("−50", "cannot be negative"),
    ("twaalf euro", "Enter an amount in euros"),
    ("12,3456", "at most two decimals"),
    ("999999999999", "too large"),
    (str(MAX_COST_CENTS // 100 + 1), "too large"),
])
def test_bad_actual_cost_is_refused_at_the_field(app, amount, message):
    _round, admin, chosen, _ = _published(app)
    client = client_as(app, f"en-{abs(hash(amount))}@example.org", "admin")
    token = csrf_from(text(client.get("/")))
    client.post("/language", data={"csrf_token": token, "lang": "en", "next": "/"})
    response = _post(client, chosen.id, actual_cost=amount)
    assert response.status_code == 422
    page = text(response)
    assert message in page
    assert 'aria-invalid="true"' in page or "utrecht-form-field--invalid" in page
    assert _updates(chosen.id) == []  # nothing half-written
    del admin


def test_only_admins_record_actual_cost(app):
    _round, admin, chosen, _ = _published(app)
    token = csrf_from(text(admin.get(f"/beheer/voorstellen/{chosen.id}/uitvoering")))
    for role in ("resident", "reviewer", "moderator", "council"):
        client = client_as(app, f"{role}-kosten@example.org", role)
        response = client.post(f"/beheer/voorstellen/{chosen.id}/uitvoering",
                               data={"csrf_token": token, "status": "done", "text": "x", "actual_cost": "10"})
        assert response.status_code in (400, 403), role
    anonymous = app.test_client().post(f"/beheer/voorstellen/{chosen.id}/uitvoering",
                                       data={"status": "done", "text": "x", "actual_cost": "10"})
    assert anonymous.status_code in (302, 400, 403)
    assert _updates(chosen.id) == []


def test_no_actual_cost_for_plans_that_were_not_chosen_or_outside_the_phase(app, monkeypatch):
    round_, admin, chosen, loser = _published(app)
    assert _post(admin, loser.id, actual_cost="10").status_code == 404
    with pytest.raises(ops.NotFunded):
        ops.add_update(loser, "done", "x", None, actual_cost_cents=10)
    # After the implementation phase has ended, nobody updates the plan any more.
    later = utcnow() + dt.timedelta(days=1000)  # long after the implementation phase
    monkeypatch.setattr("burgerbegroting.processes.models.utcnow", lambda: later)
    assert round_.phase_at().value not in ("results", "implementation")
    assert _post(admin, chosen.id, actual_cost="10").status_code == 403
    assert _updates(chosen.id) == []


@pytest.mark.parametrize("cents", [-1, MAX_COST_CENTS + 1])
def test_operation_refuses_an_amount_out_of_range(app, cents):
    _round, _admin, chosen, _ = _published(app)
    with pytest.raises(ValueError):
        ops.add_update(chosen, "done", "x", None, actual_cost_cents=cents)
    assert _updates(chosen.id) == []


def test_database_refuses_a_negative_actual_cost(app):
    _round, _admin, chosen, _ = _published(app)
    db.session.add(ImplementationUpdate(proposal_id=chosen.id, status="done", text="x", actual_cost_cents=-5))
    with pytest.raises(sa.exc.IntegrityError):
        db.session.flush()
    db.session.rollback()
