"""Backup and restore: ``pg_dump -Fc`` of a round in voting, ``pg_restore`` into a fresh
database, and the restored copy is the same election: the same Pabulib text (SHA-256), the same
outcome, and the app runs on it (pages, the voting codes, one ballot per code). The codes work
only with the same HMAC_KEY: keep that key with the backup's secrets."""

from __future__ import annotations

import glob
import random
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from flask import Flask

from bench import load_vote
from bench.load_vote import SLUG, libpq
from tests.operations.servers import build_round, fresh_database, requires_postgres
from tests.voting.test_web_vote import ballot_token, start
from tests.web.conftest import html

pytestmark = [requires_postgres, pytest.mark.postgres]

BALLOTS = 40
ROUND = SimpleNamespace(slug=SLUG)  # what tests/voting's helpers need of a round


def pg_tool(name: str) -> str:
    found = shutil.which(name) or (sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}")) or [None])[-1]
    if not found:
        pytest.skip(f"{name} is not installed (apt-get install postgresql-client)")
    return found


@contextmanager
def app_on(url: str, test_app: Flask, **config: object) -> Iterator[Flask]:
    """The app (testing configuration, the benchmark's HMAC key) on the database at ``url``."""
    from burgerbegroting.app import create_app
    from burgerbegroting.extensions import db

    app = create_app("testing", SQLALCHEMY_DATABASE_URI=url, **{"HMAC_KEY": load_vote.HMAC_KEY, **config})
    app.test_client_class = test_app.test_client_class
    try:
        yield app
    finally:
        with app.app_context():
            db.engine.dispose()


def cast_ballots(app: Flask, district_name: str, count: int) -> None:
    """``count`` ballots through the same operation as the web form (participation, spent code, ballot)."""
    from burgerbegroting.ballots.operations import ballot_options, cast_ballot
    from burgerbegroting.extensions import db
    from burgerbegroting.processes.models import District, Round
    from burgerbegroting.voters.models import VotingCode

    rng = random.Random(8)
    with app.app_context():
        round_ = db.session.scalars(sa.select(Round).where(Round.slug == SLUG)).one()
        district = db.session.scalars(sa.select(District).where(District.name == district_name)).one()
        options = [p.id for p in ballot_options(district)]
        codes = db.session.scalars(sa.select(VotingCode).where(VotingCode.district_id == district.id)
                                   .order_by(VotingCode.id).limit(count)).all()
        for code in codes:
            choices = dict.fromkeys(rng.sample(options, rng.randint(1, 3)), 1)
            cast_ballot(round_, district, f"code:{code.id}", choices, "online", code=code)
            db.session.commit()


def count_district(app: Flask, district_name: str) -> tuple[str, list[int], int]:
    """(SHA-256 of the district's Pabulib text, selected proposals, ballots) as the count computes them."""
    from burgerbegroting.extensions import db
    from burgerbegroting.processes.models import District, Round
    from burgerbegroting.results.export import export_text, load_election
    from burgerbegroting.results.operations import tally

    with app.app_context():
        round_ = db.session.scalars(sa.select(Round).where(Round.slug == SLUG)).one()
        district = db.session.scalars(sa.select(District).where(District.name == district_name)).one()
        election = load_election(round_, district)
        text, digest = export_text(election)
        outcome = tally(text, round_.counting_rule)
        return digest, sorted(outcome.selected), len(election.ballots)


def test_pg_dump_and_pg_restore_give_the_same_count_and_a_working_app(
        app: Flask, ordinary_session: None, limiter_state: None, tmp_path: Path) -> None:
    pg_dump, pg_restore = pg_tool("pg_dump"), pg_tool("pg_restore")
    with fresh_database("bb_backup") as source_url:
        setup = build_round(source_url, {"counted": BALLOTS + 2})
        with app_on(source_url, app) as source:
            cast_ballots(source, "Wijk counted", BALLOTS)
            before = count_district(source, "Wijk counted")
        assert before[2] == BALLOTS and before[1], "a round with ballots and a winner"

        dump = tmp_path / "burgerbegroting.dump"
        subprocess.run([pg_dump, "-Fc", "-f", str(dump), "-d", libpq(source_url)], check=True, timeout=60,
                       capture_output=True)
        with fresh_database("bb_restored", migrate=False) as restored_url:
            subprocess.run([pg_restore, "--no-owner", "--exit-on-error", "-d", libpq(restored_url), str(dump)],
                           check=True, timeout=60, capture_output=True)
            with app_on(restored_url, app) as restored:
                # The same election, byte for byte, and the same outcome.
                assert count_district(restored, "Wijk counted") == before
                client = restored.test_client()
                assert client.get("/readyz").status_code == 200  # schema at the head revision
                assert client.get(f"/stemmen/{SLUG}").status_code == 200
                assert client.get(f"/rondes/{SLUG}/spelregels").status_code == 200
                # Voting goes on: an unused code from the printed letters works, a used one does not.
                unused, used = setup.codes["counted"][BALLOTS], setup.codes["counted"][0]
                assert start(client, ROUND, unused).status_code == 303
                token = ballot_token(client, ROUND)
                page = html(client.get(f"/stemmen/{SLUG}/stembiljet"))
                choice = page.split('name="choice" value="', 1)[1].split('"', 1)[0]
                assert client.post(f"/stemmen/{SLUG}/uitbrengen",
                                   data={"choice": [choice], "csrf_token": token}).status_code == 303
                assert start(restored.test_client(), ROUND, used).status_code == 422  # used already
                assert count_district(restored, "Wijk counted")[2] == BALLOTS + 1

            # Without the same HMAC_KEY the printed codes are worthless.
            with app_on(restored_url, app, HMAC_KEY="another-key") as wrong_key:
                spare = setup.codes["counted"][BALLOTS + 1]
                assert start(wrong_key.test_client(), ROUND, spare).status_code == 422
