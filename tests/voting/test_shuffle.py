"""``flask ballots shuffle``: ballots get new random keys in one transaction (and, on
PostgreSQL, a new physical order and a shared transaction id), choices unchanged."""

from __future__ import annotations

import sqlalchemy as sa

from burgerbegroting.ballots import operations as ballots
from burgerbegroting.ballots.models import Ballot
from burgerbegroting.extensions import db
from tests.voting.conftest import cast_some


def _state() -> dict[str, tuple[int, tuple[tuple[int, int], ...]]]:
    rows = db.session.scalars(sa.select(Ballot)).all()
    return {b.id: (b.shuffle_key, tuple((c.proposal_id, c.value) for c in b.choices)) for b in rows}


def test_shuffle_changes_keys_not_choices(app):
    cast_some(6)
    before = _state()
    assert ballots.shuffle_ballots() == 6
    db.session.commit()
    db.session.expire_all()
    after = _state()
    assert set(after) == set(before)
    assert all(after[i][1] == before[i][1] for i in before)
    assert sum(after[i][0] != before[i][0] for i in before) >= 5
    assert all(0 <= after[i][0] < 2**62 for i in after)


def test_shuffle_leaves_ballots_with_one_shared_transaction_id_on_postgresql(app):
    cast_some(4)
    postgres = db.session.get_bind().dialect.name == "postgresql"
    query = sa.text("SELECT count(DISTINCT xmin::text) FROM ballot")
    if postgres:
        # Each cast ran in its own (sub)transaction: the ids tell the ballots apart.
        assert db.session.scalar(query) == 4
    assert ballots.shuffle_ballots() == 4
    db.session.flush()
    if postgres:
        assert db.session.scalar(query) == 1


def test_cli_command(app):
    cast_some(2)
    result = app.test_cli_runner().invoke(args=["ballots", "shuffle"])
    assert result.exit_code == 0, result.output
    assert "2 ballots shuffled" in result.output
