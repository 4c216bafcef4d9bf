"""Reporting, hiding, dismissing and restoring: operations and pages (CSRF on)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from burgerbegroting.core import audit, mail
from burgerbegroting.extensions import db
from burgerbegroting.moderation import operations as ops
from burgerbegroting.moderation.models import ModerationAction, Report
from burgerbegroting.processes.phases import Phase
from burgerbegroting.proposals.models import Comment, Proposal
from tests.conftest import count, login, make_user
from tests.reviews.helpers import make_comment, make_proposal, make_round, shift_into_voting
from tests.web.conftest import html, post


@pytest.fixture
def author(app):  # type: ignore[no-untyped-def]
    return make_user("auteur@example.org", name="Anna Auteur")


@pytest.fixture
def moderator(app):  # type: ignore[no-untyped-def]
    return make_user("mod@example.org", ("moderator",), name="Mo Moderator")


def _actions() -> list[str]:
    return [e.action for e in db.session.scalars(sa.select(audit.AuditEvent).order_by(audit.AuditEvent.seq))]


# -- Residents report ------------------------------------------------------------------------

def test_resident_reports_a_comment_once(client, author):
    proposal = make_proposal(make_round(Phase.IDEAS), author.id)
    comment = make_comment(proposal, author.id, "<script>alert(1)</script> bel 06-12345678")
    make_user("melder@example.org")
    login(client, "melder@example.org")
    form = client.get(f"/melden/comment/{comment.id}")
    assert form.status_code == 200 and "<script>alert" not in html(form)
    response = post(client, f"/melden/comment/{comment.id}",
                    {"reason": "personal_data", "explanation": "Telefoonnummer"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/voorstellen/{proposal.id}")
    report = db.session.scalar(sa.select(Report))
    assert (report.target_type, report.target_id, report.reason, report.state) == ("comment", comment.id,
                                                                                  "personal_data", "open")
    again = post(client, f"/melden/comment/{comment.id}", {"reason": "spam"})
    assert again.status_code == 200
    assert count(Report) == 1
    assert "report_filed" not in _actions()  # a resident's action, not in the staff audit log


@pytest.mark.parametrize("data, field", [
    ({"reason": ""}, "reason"),
    ({"reason": "boos"}, "reason"),
    ({"reason": "other", "explanation": "x" * 1001}, "explanation"),
])
def test_bad_reports_are_field_errors(client, author, data, field):
    proposal = make_proposal(make_round(Phase.IDEAS), author.id)
    make_user("melder@example.org")
    login(client, "melder@example.org")
    response = post(client, f"/melden/proposal/{proposal.id}", data)
    assert response.status_code == 422
    assert f'href="#{field}"' in html(response)
    assert count(Report) == 0


def test_reporting_unknown_or_draft_targets_is_404(client, author):
    draft = make_proposal(make_round(Phase.IDEAS), author.id, status="draft")
    make_user("melder@example.org")
    login(client, "melder@example.org")
    assert client.get("/melden/proposal/999999").status_code == 404
    assert client.get("/melden/comment/999999").status_code == 404
    assert client.get("/melden/vote/1").status_code == 404
    assert client.get(f"/melden/proposal/{draft.id}").status_code == 404
    assert post(client, "/melden/proposal/999999", {"reason": "spam"}).status_code == 404


def test_reporting_needs_login_and_a_public_phase(client, author):
    proposal = make_proposal(make_round(Phase.IDEAS), author.id)
    anonymous = client.get(f"/melden/proposal/{proposal.id}")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    not_public = make_proposal(make_round(Phase.DRAFT), author.id)
    make_user("melder@example.org")
    login(client, "melder@example.org")
    assert client.get(f"/melden/proposal/{not_public.id}").status_code == 403


# -- Moderators ------------------------------------------------------------------------------

def test_queue_groups_reports_and_hide_needs_a_reason(client, author, moderator):
    proposal = make_proposal(make_round(Phase.IDEAS), author.id, body="Kijk op <b>mijn</b> site")
    target = ops.load_target("proposal", proposal.id)
    for i in range(2):
        reporter = make_user(f"m{i}@example.org")
        ops.file_report(target, reporter.id, "spam", "Reclame")
    db.session.commit()
    login(client, "mod@example.org")
    page = html(client.get("/beheer/moderatie"))
    assert "Kijk op &lt;b&gt;mijn&lt;/b&gt; site" in page
    assert page.count(f"/beheer/moderatie/proposal/{proposal.id}/verbergen") == 1
    refused = post(client, f"/beheer/moderatie/proposal/{proposal.id}/verbergen", {"reason": "   "})
    assert refused.status_code == 422 and f'id="reason-proposal-{proposal.id}-error"' in html(refused)
    db.session.expire_all()
    assert proposal.hidden_at is None and count(ModerationAction) == 0
    mail.outbox.clear()
    done = post(client, f"/beheer/moderatie/proposal/{proposal.id}/verbergen", {"reason": "Reclame."})
    assert done.status_code == 303
    db.session.expire_all()
    assert proposal.hidden_reason == "Reclame." and proposal.hidden_at is not None
    assert {r.state for r in db.session.scalars(sa.select(Report))} == {"actioned"}
    assert [m["To"] for m in mail.outbox] == ["auteur@example.org"]
    assert "Reclame." in mail.outbox[0].get_content()
    assert db.session.get(Proposal, proposal.id) is not None  # never deleted
    # Restore from the hidden list.
    hidden_page = html(client.get("/beheer/moderatie/verborgen"))
    assert "Reclame." in hidden_page
    assert post(client, f"/beheer/moderatie/proposal/{proposal.id}/herstellen").status_code == 303
    db.session.expire_all()
    assert proposal.hidden_at is None and proposal.hidden_reason is None
    assert len(mail.outbox) == 2
    assert _actions()[-2:] == ["content_hidden", "content_restored"]
    assert audit.verify()[0]


def test_dismiss_keeps_the_comment_visible(client, author, moderator):
    comment = make_comment(make_proposal(make_round(Phase.REVIEW), author.id), author.id)
    ops.file_report(ops.load_target("comment", comment.id), make_user("r@example.org").id, "offensive")
    db.session.commit()
    login(client, "mod@example.org")
    assert post(client, f"/beheer/moderatie/comment/{comment.id}/afwijzen").status_code == 303
    db.session.expire_all()
    assert comment.hidden_at is None
    assert db.session.scalar(sa.select(Report.state)) == "dismissed"
    assert _actions()[-1] == "report_dismissed"
    # Nothing left to dismiss: a message, no second action.
    assert post(client, f"/beheer/moderatie/comment/{comment.id}/afwijzen").status_code == 303
    assert count(ModerationAction) == 1


def test_hiding_a_ballot_proposal_during_voting_is_refused_but_comments_can_be_hidden(client, author, moderator):
    round_ = make_round(Phase.REVIEW)
    on_ballot = make_proposal(round_, author.id, status="feasible")
    comment = make_comment(on_ballot, author.id, "Scheldwoord")
    shift_into_voting(round_)
    login(client, "mod@example.org")
    refused = post(client, f"/beheer/moderatie/proposal/{on_ballot.id}/verbergen", {"reason": "Ongepast"})
    assert refused.status_code == 409
    db.session.expire_all()
    assert on_ballot.hidden_at is None
    assert post(client, f"/beheer/moderatie/comment/{comment.id}/verbergen", {"reason": "Ongepast"}).status_code == 303
    db.session.expire_all()
    assert db.session.get(Comment, comment.id).hidden_reason == "Ongepast"


@pytest.mark.parametrize("roles", [("resident",), ("reviewer",), ("council",)])
def test_moderation_refused_to_other_roles(client, author, roles):
    comment = make_comment(make_proposal(make_round(Phase.IDEAS), author.id), author.id)
    make_user("x@example.org", roles)
    login(client, "x@example.org")
    assert client.get("/beheer/moderatie").status_code == 403
    assert client.get("/beheer/moderatie/verborgen").status_code == 403
    assert post(client, f"/beheer/moderatie/comment/{comment.id}/verbergen", {"reason": "x"}).status_code == 403
    assert db.session.get(Comment, comment.id).hidden_at is None


def test_moderator_unknown_targets_are_404(client, moderator):
    login(client, "mod@example.org")
    assert post(client, "/beheer/moderatie/proposal/999999/verbergen", {"reason": "x"}).status_code == 404
    assert post(client, "/beheer/moderatie/iets/1/herstellen").status_code == 404
    assert post(client, "/beheer/moderatie/comment/999999/afwijzen").status_code == 404


def test_moderation_without_csrf_is_refused(client, author, moderator):
    comment = make_comment(make_proposal(make_round(Phase.IDEAS), author.id), author.id)
    login(client, "mod@example.org")
    response = client.post(f"/beheer/moderatie/comment/{comment.id}/verbergen", data={"reason": "x"})
    assert response.status_code == 400
    assert db.session.get(Comment, comment.id).hidden_at is None


def test_audit_chain_after_actions_and_cli_detects_tampering(app, author, moderator):
    comment = make_comment(make_proposal(make_round(Phase.IDEAS), author.id), author.id)
    target = ops.load_target("comment", comment.id)
    ops.file_report(target, make_user("r@example.org").id, "spam")
    ops.hide(target, moderator.id, "Spam")
    ops.restore(target, moderator.id)
    db.session.commit()
    assert audit.verify()[0]
    runner = app.test_cli_runner()
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0
    event = db.session.scalars(sa.select(audit.AuditEvent).where(audit.AuditEvent.action == "content_hidden")).one()
    db.session.execute(sa.update(audit.AuditEvent).where(audit.AuditEvent.id == event.id)
                       .values(payload='{"reason": "iets anders"}'))
    db.session.commit()
    db.session.expire_all()
    ok, _, message = audit.verify()
    assert not ok and "changed" in message
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1 and "BROKEN" in result.output
