"""Operations on proposals, against the database (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest

from burgerbegroting.extensions import db
from burgerbegroting.processes.phases import Phase
from burgerbegroting.proposals import images as img
from burgerbegroting.proposals import operations as ops
from burgerbegroting.proposals.models import Comment, ProposalEvent, ProposalImage, Support
from tests.conftest import make_user
from tests.proposals.helpers import (
    image_bytes,
    make_proposal,
    make_round,
    move_to,
    n_proposals,
    n_rows,
    proposal_input,
)


@pytest.fixture
def author():  # type: ignore[no-untyped-def]
    return make_user("auteur@example.org", name="Anna Auteur")


@pytest.fixture
def other():  # type: ignore[no-untyped-def]
    return make_user("buur@example.org", name="Ben Buur")


def refused(code: str):  # type: ignore[no-untyped-def]
    class _Ctx:
        def __enter__(self):  # type: ignore[no-untyped-def]
            return self

        def __exit__(self, kind, exc, tb):  # type: ignore[no-untyped-def]
            assert kind is ops.ProposalRefused, f"expected refusal {code}, got {kind}"
            assert exc.code == code
            return True

    return _Ctx()


def test_submit_publishes_with_history_and_images(author) -> None:  # type: ignore[no-untyped-def]
    round_ = make_round()
    pic = img.process_image(image_bytes("JPEG", exif=True))
    proposal = ops.create_proposal(
        round_, author.id, proposal_input(round_, cost_cents=1_234_50), images=[(pic, "Een rode vlek")]
    )
    db.session.commit()
    assert proposal.status == "published" and proposal.published_at is not None
    assert [(i.position, i.alt_text, i.content_type) for i in proposal.images] == [(0, "Een rode vlek", "image/jpeg")]
    events = [(e.kind, e.to_status, e.cost_cents, e.source) for e in proposal.history]
    assert events == [("cost", None, 123_450, "author"), ("status", "published", None, None)]


def test_draft_stays_draft(author) -> None:  # type: ignore[no-untyped-def]
    round_ = make_round()
    proposal = make_proposal(round_, author.id, publish=False)
    assert proposal.status == "draft" and proposal.published_at is None
    assert ops.search_proposals(round_).total == 0
    assert [p.id for p in ops.proposals_of(author.id)] == [proposal.id]


@pytest.mark.parametrize("phase", [Phase.REVIEW, Phase.VOTING, Phase.RESULTS])
def test_submit_only_in_ideas_phase(author, phase) -> None:  # type: ignore[no-untyped-def]
    round_ = make_round(phase)
    with refused("not_ideas_phase"):
        ops.create_proposal(round_, author.id, proposal_input(round_))
    assert n_proposals(round_) == 0


def test_submit_checks_district_and_cost(author) -> None:  # type: ignore[no-untyped-def]
    round_ = make_round()
    elsewhere = make_round()
    with refused("unknown_district"):
        ops.create_proposal(round_, author.id, proposal_input(round_, district_id=elsewhere.districts[0].id))
    with refused("over_budget"):
        ops.create_proposal(round_, author.id, proposal_input(round_, cost_cents=round_.districts[0].budget_cents + 1))
    with refused("bad_cost"):
        ops.create_proposal(round_, author.id, proposal_input(round_, cost_cents=0))
    with refused("unknown_theme"):
        ops.create_proposal(round_, author.id, proposal_input(round_, theme="kermis"))
    assert n_proposals(round_) == 0


def test_too_many_images_stores_nothing(author) -> None:  # type: ignore[no-untyped-def]
    round_ = make_round()
    pic = img.process_image(image_bytes("PNG"))
    with refused("too_many_images"):
        ops.create_proposal(round_, author.id, proposal_input(round_), images=[(pic, "x")] * 4)
    db.session.rollback()
    assert n_proposals(round_) == 0 and n_rows(ProposalImage, round_) == 0


def test_author_edits_and_cost_change_is_public_history(author) -> None:  # type: ignore[no-untyped-def]
    round_ = make_round()
    proposal = make_proposal(round_, author.id)
    ops.update_proposal(proposal, author.id, proposal_input(round_, title="Nieuwe titel", cost_cents=900_000))
    db.session.commit()
    assert proposal.title == "Nieuwe titel" and proposal.cost_cents == 900_000
    costs = [(e.cost_cents, e.source) for e in proposal.history if e.kind == "cost"]
    assert costs == [(750_000, "author"), (900_000, "author")]
    # The same cost again adds no history.
    ops.update_proposal(proposal, author.id, proposal_input(round_, title="Nog een titel", cost_cents=900_000))
    db.session.commit()
    assert len([e for e in proposal.history if e.kind == "cost"]) == 2


def test_edit_replaces_images(author) -> None:  # type: ignore[no-untyped-def]
    round_ = make_round()
    pic = img.process_image(image_bytes("PNG"))
    proposal = ops.create_proposal(
        round_, author.id, proposal_input(round_), images=[(pic, "a"), (pic, "b"), (pic, "c")]
    )
    db.session.commit()
    with refused("too_many_images"):
        ops.update_proposal(proposal, author.id, proposal_input(round_), new_images=[(pic, "d")])
    db.session.rollback()
    first = proposal.images[0].id
    ops.update_proposal(proposal, author.id, proposal_input(round_), new_images=[(pic, "d")], remove_image_ids=[first])
    db.session.commit()
    assert sorted(i.alt_text for i in proposal.images) == ["b", "c", "d"]


def test_only_author_may_edit_or_withdraw(author, other) -> None:  # type: ignore[no-untyped-def]
    round_ = make_round()
    proposal = make_proposal(round_, author.id)
    with refused("not_author"):
        ops.update_proposal(proposal, other.id, proposal_input(round_))
    with refused("not_author"):
        ops.withdraw_proposal(proposal, other.id)
    assert proposal.status == "published"


def test_edit_refused_after_ideas_phase_and_in_review(author) -> None:  # type: ignore[no-untyped-def]
    round_ = make_round()
    proposal = make_proposal(round_, author.id)
    move_to(round_, Phase.REVIEW)
    with refused("not_ideas_phase"):
        ops.update_proposal(proposal, author.id, proposal_input(round_))
    # Withdrawing is still allowed in the review phase.
    ops.withdraw_proposal(proposal, author.id)
    db.session.commit()
    assert proposal.status == "withdrawn"
    assert proposal.history[-1].to_status == "withdrawn"
    with refused("not_withdrawable"):
        ops.withdraw_proposal(proposal, author.id)


def test_withdraw_refused_in_voting(author) -> None:  # type: ignore[no-untyped-def]
    round_ = make_round()
    proposal = make_proposal(round_, author.id)
    move_to(round_, Phase.VOTING)
    with refused("withdraw_phase"):
        ops.withdraw_proposal(proposal, author.id)


def test_support_once_and_withdraw(author, other) -> None:  # type: ignore[no-untyped-def]
    round_ = make_round()
    proposal = make_proposal(round_, author.id)
    ops.add_support(proposal, other.id)
    db.session.commit()
    assert ops.support_count(proposal.id) == 1 and ops.has_supported(proposal.id, other.id)
    with refused("already_supported"):
        ops.add_support(proposal, other.id)
    with refused("own_proposal"):
        ops.add_support(proposal, author.id)
    ops.remove_support(proposal, other.id)
    db.session.commit()
    assert ops.support_count(proposal.id) == 0
    with refused("not_supported"):
        ops.remove_support(proposal, other.id)


def test_concurrent_support_hits_unique_constraint_without_breaking_the_transaction(author, other, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    round_ = make_round()
    proposal = make_proposal(round_, author.id)
    db.session.add(Support(proposal_id=proposal.id, user_id=other.id))
    db.session.commit()
    # The other request's row is there, but this request's check did not see it yet.
    monkeypatch.setattr(ops, "has_supported", lambda *a: False)
    with refused("already_supported"):
        ops.add_support(proposal, other.id)
    # The transaction is still usable after the savepoint rolled back.
    assert n_rows(Support, round_) == 1
    db.session.commit()


@pytest.mark.parametrize("phase", [Phase.REVIEW, Phase.VOTING])
def test_support_only_in_ideas(author, other, phase) -> None:  # type: ignore[no-untyped-def]
    round_ = make_round()
    proposal = make_proposal(round_, author.id)
    move_to(round_, phase)
    with refused("support_phase"):
        ops.add_support(proposal, other.id)


def test_drafts_and_hidden_cannot_be_supported(author, other) -> None:  # type: ignore[no-untyped-def]
    round_ = make_round()
    draft = make_proposal(round_, author.id, publish=False)
    with refused("support_status"):
        ops.add_support(draft, other.id)
    hidden = make_proposal(round_, author.id)
    from burgerbegroting.core.timeutil import utcnow

    hidden.hidden_at, hidden.hidden_reason = utcnow(), "Scheldwoorden"
    db.session.commit()
    with refused("support_status"):
        ops.add_support(hidden, other.id)


def test_comments_one_level_deep(author, other) -> None:  # type: ignore[no-untyped-def]
    round_ = make_round()
    proposal = make_proposal(round_, author.id)
    top = ops.add_comment(proposal, other.id, "Goed plan!")
    reply = ops.add_comment(proposal, author.id, "Dank je.", parent_id=top.id)
    deeper = ops.add_comment(proposal, other.id, "Graag gedaan.", parent_id=reply.id)
    db.session.commit()
    assert reply.parent_id == top.id and deeper.parent_id == top.id
    threads = ops.comment_threads(proposal.id)
    assert [c.id for c in threads] == [top.id]
    assert [r.id for r in threads[0].replies] == [reply.id, deeper.id]


def test_comment_refusals(author, other) -> None:  # type: ignore[no-untyped-def]
    round_ = make_round()
    proposal = make_proposal(round_, author.id)
    elsewhere = make_proposal(round_, author.id)
    foreign = ops.add_comment(elsewhere, other.id, "Elders")
    with refused("unknown_parent"):
        ops.add_comment(proposal, other.id, "Hoi", parent_id=foreign.id)
    with refused("comment_empty"):
        ops.add_comment(proposal, other.id, "   ")
    with refused("comment_too_long"):
        ops.add_comment(proposal, other.id, "x" * 2001)
    move_to(round_, Phase.VOTING)
    with refused("comment_phase"):
        ops.add_comment(proposal, other.id, "Te laat")
    closed = make_round(comments_enabled=False)
    quiet = make_proposal(closed, author.id)
    with refused("comments_disabled"):
        ops.add_comment(quiet, other.id, "Mag niet")
    assert n_rows(Comment, round_) == 1


def test_search_filters_sort_and_pages(author, other) -> None:  # type: ignore[no-untyped-def]
    round_ = make_round()
    noord, zuid = round_.districts
    a = make_proposal(
        round_, author.id, title="Speeltuin 100% veilig", cost_cents=300_000, district_id=noord.id, theme="play"
    )
    b = make_proposal(
        round_, author.id, title="bloemen langs de dijk", cost_cents=100_000, district_id=zuid.id, theme="green"
    )
    c = make_proposal(
        round_,
        author.id,
        title="Zebrapad",
        summary="Veilig oversteken_bij school",
        cost_cents=200_000,
        district_id=noord.id,
        theme="traffic",
    )
    make_proposal(round_, author.id, publish=False, title="Geheim concept")
    ops.add_support(c, other.id)
    db.session.commit()

    def ids(**kw):  # type: ignore[no-untyped-def]
        return [p.id for p, _n in ops.search_proposals(round_, **kw).items]

    assert ids() == [c.id, b.id, a.id]
    assert ids(district_id=noord.id) == [c.id, a.id]
    assert ids(theme="green") == [b.id]
    assert ids(query="VEILIG") == [c.id, a.id]  # title and summary, case-insensitive
    assert ids(query="100%") == [a.id]  # % is a literal, not a wildcard
    assert ids(query="e_d") == []  # _ is a literal too ("de dijk" would match a wildcard)
    assert ids(query="oversteken_bij") == [c.id]
    assert ids(sort="cost_asc") == [b.id, c.id, a.id]
    assert ids(sort="cost_desc") == [a.id, c.id, b.id]
    assert ids(sort="title") == [b.id, a.id, c.id]
    assert ids(sort="support")[0] == c.id
    assert ids(status="withdrawn") == []
    page = ops.search_proposals(round_, per_page=2, page=2)
    assert (page.total, page.pages, page.page, [p.id for p, _ in page.items]) == (3, 2, 2, [a.id])
    assert ops.search_proposals(round_, per_page=2, page=99).page == 2


def test_hidden_proposals_are_left_out_of_the_list(author) -> None:  # type: ignore[no-untyped-def]
    from burgerbegroting.core.timeutil import utcnow

    round_ = make_round()
    proposal = make_proposal(round_, author.id)
    proposal.hidden_at, proposal.hidden_reason = utcnow(), "Reclame"
    db.session.commit()
    assert ops.search_proposals(round_).total == 0


def test_public_history_is_stored(author) -> None:  # type: ignore[no-untyped-def]
    round_ = make_round()
    make_proposal(round_, author.id)
    assert n_rows(ProposalEvent, round_) == 2
