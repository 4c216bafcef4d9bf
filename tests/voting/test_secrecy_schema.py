"""Ballot secrecy by schema: the ballot tables alone never tell how a named resident voted.

This inspects the real schema (built from the migrations) and fails when a column or foreign
key appears that could link a ballot to a voter, a code, an account or a participation row,
or a time finer than the date.
"""

from __future__ import annotations

import sqlalchemy as sa

from burgerbegroting.extensions import db

BALLOT_TABLES = ("ballot", "ballot_choice")
# Tables whose rows identify a person or their vote's existence.
IDENTIFYING_TABLES = {"user_account", "voting_code", "participation", "register_entry", "paper_entry", "support",
                      "comment", "report", "audit_event"}
ALLOWED_TARGETS = {"ballot", "budget_round", "district", "proposal"}
SUSPICIOUS_NAMES = ("user", "voter", "code", "participation", "author", "email", "ip", "session", "created_at",
                    "updated_at", "timestamp", "time")


def _inspector(app):
    return sa.inspect(db.engine)


def test_ballot_tables_link_to_nothing_that_identifies_a_person(app):
    with app.app_context():
        inspector = _inspector(app)
        for table in BALLOT_TABLES:
            for fk in inspector.get_foreign_keys(table):
                assert fk["referred_table"] in ALLOWED_TARGETS, (table, fk)
                assert fk["referred_table"] not in IDENTIFYING_TABLES


def test_ballot_columns_have_no_identifying_names_and_no_times(app):
    with app.app_context():
        inspector = _inspector(app)
        for table in BALLOT_TABLES:
            for column in inspector.get_columns(table):
                name = column["name"].lower()
                for word in SUSPICIOUS_NAMES:
                    assert word not in name.split("_") and not name.startswith(word + "_"), (table, name)
                type_name = str(column["type"]).upper()
                assert "TIME" not in type_name, f"{table}.{name} is {type_name}: only dates are allowed"


def test_nothing_points_at_ballots_except_their_choices(app):
    with app.app_context():
        inspector = _inspector(app)
        for table in inspector.get_table_names():
            if table in BALLOT_TABLES:
                continue
            for fk in inspector.get_foreign_keys(table):
                assert fk["referred_table"] not in BALLOT_TABLES, (table, fk)


def test_ballot_ids_are_random_not_a_sequence(app):
    with app.app_context():
        inspector = _inspector(app)
        (pk,) = inspector.get_pk_constraint("ballot")["constrained_columns"]
        column = next(c for c in inspector.get_columns("ballot") if c["name"] == pk)
        assert "CHAR" in str(column["type"]).upper()
        assert not column.get("autoincrement") or "CHAR" in str(column["type"]).upper()
        from burgerbegroting.ballots.models import new_ballot_id

        ids = {new_ballot_id() for _ in range(1000)}
        assert len(ids) == 1000 and all(len(i) == 32 for i in ids)


def test_participation_and_codes_keep_no_time_finer_than_a_date(app):
    with app.app_context():
        inspector = _inspector(app)
        for table in ("participation",):
            for column in inspector.get_columns(table):
                assert "TIME" not in str(column["type"]).upper(), (table, column["name"])
        used_on = next(c for c in inspector.get_columns("voting_code") if c["name"] == "used_on")
        assert str(used_on["type"]).upper() == "DATE"


def test_identifying_tables_hold_no_ballot_reference_or_receipt(app):
    with app.app_context():
        inspector = _inspector(app)
        # paper_entry holds a typed paper (code + choices) only until both entries agree; the
        # paper-ballot tests check that it is deleted when the ballot is cast.
        for table in (IDENTIFYING_TABLES - {"paper_entry"}) & set(inspector.get_table_names()):
            for column in inspector.get_columns(table):
                name = column["name"].lower()
                assert "ballot" not in name and "receipt" not in name and "choice" not in name, (table, name)
