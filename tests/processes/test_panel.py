"""A panel decides instead of a vote: the operation and the staff page."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from burgerbegroting.auth import operations as auth_ops
from burgerbegroting.core.audit import AuditEvent
from burgerbegroting.extensions import db
from burgerbegroting.processes import panel
from burgerbegroting.processes.models import Round
from burgerbegroting.processes.phases import Phase
from burgerbegroting.proposals.models import Proposal
from tests.processes.conftest import DAY, make_round, phase_of
from tests.web.conftest import DEMO_EMAILS, html, login_as, post

pytestmark = pytest.mark.usefixtures("seeded")


def _proposal(round_: Round, status: str, title: str, district: int = 0) -> Proposal:
    proposal = Proposal(round_id=round_.id, district_id=round_.districts[district].id, title=title,
                        summary="Samenvatting", body="Beschrijving", cost_cents=2_500_00, status=status)
    db.session.add(proposal)
    return proposal


def _panel_round(slug: str = "potje", *, start_voting: bool = True, decision: str = "panel") -> tuple[Round, dict]:
    """A round with proposals in several statuses; voting starts only after they were added
    (the rule lock refuses ballot changes once voting has started)."""
    round_ = make_round(slug, voting_in_days=10, decision=decision)
    made = {
        "feasible": _proposal(round_, "feasible", "Bankje bij de vijver"),
        "feasible2": _proposal(round_, "feasible", "Moestuin", district=1),
        "published": _proposal(round_, "published", "Nog niet getoetst"),
        "not_feasible": _proposal(round_, "not_feasible", "Te duur plan"),
    }
    db.session.commit()
    if start_voting:
        for window in round_.phases:
            window.starts_at -= 11 * DAY
            window.ends_at -= 11 * DAY
        db.session.commit()
        assert phase_of(round_) == Phase.VOTING
    return round_, made


def _admin_id() -> int:
    return auth_ops.find_user_by_email(DEMO_EMAILS["admin"]).id


# --- The operation ----------------------------------------------------------------------------


def test_record_selected_and_not_selected_with_public_reason_and_audit():
    round_, made = _panel_round()
    panel.record_panel_decision(round_, made["feasible"], True, "  Past goed bij de wijk.  ", _admin_id())
    panel.record_panel_decision(round_, made["feasible2"], False, "Er is al een moestuin.", _admin_id())
    db.session.commit()
    assert made["feasible"].status == "selected"
    assert made["feasible2"].status == "not_selected"
    last = made["feasible"].history[-1]
    assert (last.kind, last.from_status, last.to_status, last.public_note) == (
        "status", "feasible", "selected", "Past goed bij de wijk.")
    events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "panel_decision_recorded")
                                .order_by(AuditEvent.seq)).all()
    assert [e.target for e in events] == [f"round:{round_.id}"] * 2
    assert '"selected": true' in events[0].payload and f'"proposal_id": {made["feasible"].id}' in events[0].payload
    assert '"selected": false' in events[1].payload
    assert events[0].actor_id == _admin_id()


def test_only_panel_rounds():
    round_, made = _panel_round("stemronde", decision="vote")
    with pytest.raises(ValueError, match="panel"):
        panel.record_panel_decision(round_, made["feasible"], True, "Goed plan.", _admin_id())
    assert made["feasible"].status == "feasible"


@pytest.mark.parametrize("status", ["published", "not_feasible"])
def test_only_feasible_proposals(status):
    round_, made = _panel_round()
    with pytest.raises(panel.PanelError) as exc:
        panel.record_panel_decision(round_, made[status], True, "Goed plan.", _admin_id())
    assert exc.value.code == "not_feasible"
    assert made[status].status == status


def test_a_recorded_decision_is_final():
    round_, made = _panel_round()
    panel.record_panel_decision(round_, made["feasible"], True, "Goed plan.", _admin_id())
    for selected in (True, False):
        with pytest.raises(panel.PanelError) as exc:
            panel.record_panel_decision(round_, made["feasible"], selected, "Toch anders.", _admin_id())
        assert exc.value.code == "already_decided"
    assert made["feasible"].status == "selected"
    assert len([e for e in made["feasible"].history if e.kind == "status"]) == 1


def test_proposal_of_another_round_is_refused():
    round_, _made = _panel_round()
    _other, other_made = _panel_round("ander-potje")
    with pytest.raises(panel.PanelError) as exc:
        panel.record_panel_decision(round_, other_made["feasible"], True, "Goed plan.", _admin_id())
    assert exc.value.code == "other_round"


@pytest.mark.parametrize(("reason", "code"), [("", "reason_missing"), ("   ", "reason_missing"),
                                               ("x" * 1001, "reason_too_long")])
def test_reason_required_and_limited(reason, code):
    round_, made = _panel_round()
    with pytest.raises(panel.PanelError) as exc:
        panel.record_panel_decision(round_, made["feasible"], False, reason, _admin_id())
    assert exc.value.code == code
    assert made["feasible"].status == "feasible"


def test_reason_of_exactly_the_maximum_is_accepted():
    round_, made = _panel_round()
    panel.record_panel_decision(round_, made["feasible"], False, "x" * 1000, _admin_id())
    assert made["feasible"].status == "not_selected"


# --- The page ---------------------------------------------------------------------------------


def test_page_lists_feasible_proposals_per_district_with_forms(client):
    round_, made = _panel_round()
    login_as(client, "admin")
    response = client.get(f"/beheer/rondes/{round_.slug}/panel")
    assert response.status_code == 200
    page = html(response)
    assert "Bankje bij de vijver" in page and "Moestuin" in page
    assert "Nog niet getoetst" not in page and "Te duur plan" not in page
    assert page.index("Wijk 1") < page.index("Bankje bij de vijver") < page.index("Wijk 2") < page.index("Moestuin")
    for key in ("feasible", "feasible2"):
        assert f'action="/beheer/rondes/{round_.slug}/panel/{made[key].id}"' in page
    assert "2.500" in page  # the cost
    # The round's admin pages link to it.
    assert f'href="/beheer/rondes/{round_.slug}/panel"' in html(client.get(f"/beheer/rondes/{round_.id}"))


def test_post_records_the_decision_and_redirects(client):
    round_, made = _panel_round()
    login_as(client, "admin")
    url = f"/beheer/rondes/{round_.slug}/panel/{made['feasible'].id}"
    prefix = f"p{made['feasible'].id}-"
    response = post(client, url, {prefix + "decision": "selected", prefix + "reason": "Past goed bij de wijk."})
    assert response.status_code == 303
    assert response.headers["Location"] == f"/beheer/rondes/{round_.slug}/panel"
    db.session.expire_all()
    assert db.session.get(Proposal, made["feasible"].id).status == "selected"
    page = html(client.get(response.headers["Location"]))
    assert "Bankje bij de vijver" in page and "Past goed bij de wijk." in page and "utrecht-alert--ok" in page
    assert f'action="{url}"' not in page  # decided: no form any more
    # A second decision is refused, with a message, and changes nothing.
    again = post(client, url, {prefix + "decision": "not_selected", prefix + "reason": "Toch niet."})
    assert again.status_code == 303
    assert "utrecht-alert--error" in html(client.get(again.headers["Location"]))
    db.session.expire_all()
    assert db.session.get(Proposal, made["feasible"].id).status == "selected"


@pytest.mark.parametrize(("data", "field", "kept"), [
    ({"decision": "selected", "reason": "  "}, "reason", None),
    ({"reason": "Mooi plan voor de buurt."}, "decision", "Mooi plan voor de buurt."),
    ({"decision": "maybe", "reason": "Mooi plan."}, "decision", "Mooi plan."),
    ({"decision": "not_selected", "reason": "x" * 1001}, "reason", None),
])
def test_post_with_errors_is_422_and_keeps_values(client, data, field, kept):
    round_, made = _panel_round()
    login_as(client, "admin")
    pid = made["feasible"].id
    response = post(client, f"/beheer/rondes/{round_.slug}/panel/{pid}",
                    {f"p{pid}-{key}": value for key, value in data.items()})
    assert response.status_code == 422
    page = html(response)
    assert f'href="#p{pid}-{field}"' in page  # the error summary points at the field
    assert f'id="p{pid}-{field}-error"' in page
    if kept:
        assert kept in page
    if data.get("decision") == "selected":
        assert re.search(rf'<input checked[^>]*id="p{pid}-decision-0"|id="p{pid}-decision-0"[^>]*checked', page)
    db.session.expire_all()
    assert db.session.get(Proposal, pid).status == "feasible"


def test_other_roles_are_refused(client):
    round_, made = _panel_round()
    url = f"/beheer/rondes/{round_.slug}/panel"
    response = client.get(url)
    assert response.status_code == 302 and response.headers["Location"].startswith("/login?next=")
    login_as(client, "resident")
    assert client.get(url).status_code == 403
    pid = made["feasible"].id
    response = post(client, f"{url}/{pid}", {f"p{pid}-decision": "selected", f"p{pid}-reason": "Goed."})
    assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(Proposal, pid).status == "feasible"


def test_outside_voting_and_counting_the_page_is_refused(client):
    round_, made = _panel_round(start_voting=False)  # still in the ideas phase
    login_as(client, "admin")
    assert client.get(f"/beheer/rondes/{round_.slug}/panel").status_code == 403
    pid = made["feasible"].id
    response = post(client, f"/beheer/rondes/{round_.slug}/panel/{pid}",
                    {f"p{pid}-decision": "selected", f"p{pid}-reason": "Goed."})
    assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(Proposal, pid).status == "feasible"


def test_vote_rounds_and_unknown_rounds_or_proposals_are_404(client):
    vote_round, vote_made = _panel_round("stemronde", decision="vote")
    round_, _made = _panel_round()
    _other, other_made = _panel_round("ander-potje")
    login_as(client, "admin")
    assert client.get(f"/beheer/rondes/{vote_round.slug}/panel").status_code == 404
    assert client.get("/beheer/rondes/bestaat-niet/panel").status_code == 404
    pid = vote_made["feasible"].id
    assert post(client, f"/beheer/rondes/{vote_round.slug}/panel/{pid}",
                {f"p{pid}-decision": "selected", f"p{pid}-reason": "Goed."}).status_code == 404
    oid = other_made["feasible"].id
    assert post(client, f"/beheer/rondes/{round_.slug}/panel/{oid}",
                {f"p{oid}-decision": "selected", f"p{oid}-reason": "Goed."}).status_code == 404
    assert post(client, f"/beheer/rondes/{round_.slug}/panel/999999", {}).status_code == 404
    # The link is only on panel rounds.
    assert "/panel" not in html(client.get(f"/beheer/rondes/{vote_round.id}"))


def test_a_concurrent_decision_is_not_a_server_error(client, monkeypatch):
    from sqlalchemy.orm.exc import StaleDataError

    round_, made = _panel_round()
    login_as(client, "admin")

    def raced(*args, **kwargs):
        raise StaleDataError("the proposal changed meanwhile")

    monkeypatch.setattr(panel, "record_panel_decision", raced)
    pid = made["feasible"].id
    response = post(client, f"/beheer/rondes/{round_.slug}/panel/{pid}",
                    {f"p{pid}-decision": "selected", f"p{pid}-reason": "Goed plan."})
    assert response.status_code == 303
    page = html(client.get(response.headers["Location"]))
    assert "utrecht-alert--error" in page and f'action="/beheer/rondes/{round_.slug}/panel/{pid}"' in page
    db.session.expire_all()
    assert db.session.get(Proposal, pid).status == "feasible"
