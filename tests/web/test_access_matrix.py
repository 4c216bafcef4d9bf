"""Every route × every role: the expected answer to a GET (and to a POST, for routes that take
one), from an explicit table.

Adding a route without adding it to ``GET`` (and to ``POST`` when it takes a POST) makes
``test_every_route_is_in_the_table`` fail: say here who may use the new page.

Expectations: a status code; ``LOGIN`` (302 to the login page, with ``next``); or
``("redirect", status, location)``. URL placeholders are filled with real objects from the demo
data (``{user_id}``, ``{open_round}``, ...), so pages actually render.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from werkzeug.exceptions import MethodNotAllowed, NotFound

from burgerbegroting import demo
from burgerbegroting.auth import operations as ops
from burgerbegroting.auth.tokens import make_token
from burgerbegroting.core.timeutil import utcnow
from burgerbegroting.extensions import db
from burgerbegroting.jobs.models import Job
from burgerbegroting.processes.models import District, Round, RoundPhase
from burgerbegroting.proposals.models import Proposal
from tests.conftest import rolled_back_session
from tests.web.conftest import DEMO_EMAILS, html, login_as, savepoint_per_test, token

ROLES = ("anonymous", "resident", "reviewer", "moderator", "admin", "council")
STAFF = ("reviewer", "moderator", "admin", "council")
LOGIN = "login"

Expect = int | str | tuple[str, int, str]


def everyone(expect: Expect) -> dict[str, Expect]:
    return dict.fromkeys(ROLES, expect)


def accounts(expect: Expect, anonymous: Expect = LOGIN) -> dict[str, Expect]:
    """Pages for everyone with an account."""
    return {"anonymous": anonymous, **dict.fromkeys(ROLES[1:], expect)}


def only(*allowed: str, ok: Expect = 200, others: Expect = 403) -> dict[str, Expect]:
    """Pages for some roles; other accounts get ``others``, anonymous visitors log in first."""
    return {"anonymous": LOGIN, **{role: ok if role in allowed else others for role in ROLES[1:]}}


def anonymous_only(ok: Expect = 200) -> dict[str, Expect]:
    """Log in / register: logged-in users are sent to the home page."""
    return accounts(("redirect", 302, "/"), anonymous=ok)


@dataclass(frozen=True)
class Case:
    url: str
    expect: dict[str, Expect]


# GET, for every route (405 where a route only takes POST). ---------------------------------------
GET: dict[str, list[Case]] = {
    "/": [Case("/", everyone(200))],
    "/privacy": [Case("/privacy", everyone(200))],
    "/toegankelijkheid": [Case("/toegankelijkheid", everyone(200))],
    "/theme.css": [Case("/theme.css", everyone(200))],
    "/rondes/<slug>": [
        Case("/rondes/{open_round}", everyone(200)),
        Case("/rondes/{past_round}", everyone(200)),
        Case("/rondes/{draft_round}", everyone(404)),  # not public before its first phase
        Case("/rondes/no-such-round", everyone(404)),
    ],
    "/login": [Case("/login", anonymous_only())],
    "/register": [Case("/register", anonymous_only())],
    "/login/2fa": [Case("/login/2fa", everyone(("redirect", 302, "/login")))],
    "/login/2fa/setup": [Case("/login/2fa/setup", everyone(("redirect", 302, "/login")))],
    "/logout": [Case("/logout", everyone(405))],
    "/language": [Case("/language", everyone(405))],
    "/confirm/<token>": [
        Case("/confirm/{confirm_token}", accounts(("redirect", 303, "/profile"),
                                                  anonymous=("redirect", 303, "/login"))),
        Case("/confirm/not-a-token", everyone(400)),
    ],
    # POST only; a GET falls through to /confirm/<token>, where "resend" is no valid token.
    "/confirm/resend": [Case("/confirm/resend", everyone(400))],
    "/password/forgot": [Case("/password/forgot", everyone(200))],
    "/password/reset/<token>": [
        Case("/password/reset/{reset_token}", everyone(200)),
        Case("/password/reset/not-a-token", everyone(400)),
    ],
    "/profile": [Case("/profile", accounts(200))],
    "/profile/password": [Case("/profile/password", accounts(200))],
    "/profile/data.json": [Case("/profile/data.json", accounts(200))],
    "/profile/delete": [Case("/profile/delete", accounts(200))],
    "/beheer/": [Case("/beheer/", only(*STAFF))],
    "/beheer/medewerkers": [Case("/beheer/medewerkers", only("admin"))],
    "/beheer/medewerkers/nieuw": [Case("/beheer/medewerkers/nieuw", only("admin"))],
    "/beheer/accounts": [Case("/beheer/accounts", only("admin")), Case("/beheer/accounts?q=example", only("admin"))],
    "/beheer/accounts/<int:user_id>/rollen": [
        Case("/beheer/accounts/{user_id}/rollen", only("admin")),
        Case("/beheer/accounts/999999/rollen", only("admin", ok=404)),
    ],
    "/beheer/audit": [Case("/beheer/audit", only("admin"))],
    # Rounds (processes): admin pages and the public spelregels.
    "/beheer/rondes": [Case("/beheer/rondes", only("admin"))],
    "/beheer/rondes/nieuw": [Case("/beheer/rondes/nieuw", only("admin"))],
    "/beheer/rondes/<int:round_id>": [
        Case("/beheer/rondes/{open_round_id}", only("admin")),
        Case("/beheer/rondes/999999", only("admin", ok=404)),
    ],
    "/beheer/rondes/<int:round_id>/fasen": [Case("/beheer/rondes/{open_round_id}/fasen", only("admin"))],
    "/beheer/rondes/<int:round_id>/fase-wisselen": [
        Case("/beheer/rondes/{open_round_id}/fase-wisselen", everyone(405))],
    "/beheer/rondes/<int:round_id>/gebieden": [Case("/beheer/rondes/{open_round_id}/gebieden", only("admin"))],
    "/beheer/rondes/<int:round_id>/gebieden/<int:district_id>": [
        Case("/beheer/rondes/{open_round_id}/gebieden/{district_id}", only("admin")),
        Case("/beheer/rondes/{open_round_id}/gebieden/999999", only("admin", ok=404)),
    ],
    "/beheer/rondes/<int:round_id>/gebieden/<int:district_id>/verwijderen": [
        Case("/beheer/rondes/{open_round_id}/gebieden/{district_id}/verwijderen", everyone(405))],
    "/beheer/rondes/<int:round_id>/gebieden/import": [
        Case("/beheer/rondes/{open_round_id}/gebieden/import", everyone(405))],
    "/beheer/rondes/voorbeeld-gebieden.csv": [Case("/beheer/rondes/voorbeeld-gebieden.csv", only("admin"))],
    "/rondes/<slug>/spelregels": [
        Case("/rondes/{open_round}/spelregels", everyone(200)),
        Case("/rondes/{past_round}/spelregels", everyone(200)),
        # Not public before its first phase; its administrators may preview it.
        Case("/rondes/{draft_round}/spelregels", {**everyone(404), "admin": 200}),
        Case("/rondes/no-such-round/spelregels", everyone(404)),
    ],
    # Feasibility review (reviews) and moderation.
    "/beheer/toets": [Case("/beheer/toets", only("reviewer", "admin")),
                      Case("/beheer/toets?ronde={open_round}", only("reviewer", "admin")),
                      Case("/beheer/toets?ronde=no-such-round", only("reviewer", "admin", ok=404))],
    "/beheer/toets/voorstellen/<int:proposal_id>": [
        Case("/beheer/toets/voorstellen/999999", only("reviewer", "admin", ok=404))],
    "/beheer/toets/voorstellen/<int:proposal_id>/samenvoegen": [
        Case("/beheer/toets/voorstellen/999999/samenvoegen", everyone(405))],
    "/beheer/toets/rondes/<slug>/te-weinig-steun": [
        Case("/beheer/toets/rondes/{open_round}/te-weinig-steun", everyone(405))],
    "/melden/<target_type>/<int:target_id>": [
        Case("/melden/proposal/999999", everyone(404)), Case("/melden/comment/999999", everyone(404)),
        Case("/melden/vote/1", everyone(404))],
    "/beheer/moderatie": [Case("/beheer/moderatie", only("moderator", "admin"))],
    "/beheer/moderatie/verborgen": [Case("/beheer/moderatie/verborgen", only("moderator", "admin"))],
    "/beheer/moderatie/<target_type>/<int:target_id>/verbergen": [
        Case("/beheer/moderatie/comment/999999/verbergen", everyone(405))],
    "/beheer/moderatie/<target_type>/<int:target_id>/afwijzen": [
        Case("/beheer/moderatie/comment/999999/afwijzen", everyone(405))],
    "/beheer/moderatie/<target_type>/<int:target_id>/herstellen": [
        Case("/beheer/moderatie/comment/999999/herstellen", everyone(405))],
    # Voting (voters, ballots): the demo's open round is not in its voting phase.
    "/stemmen": [Case("/stemmen", everyone(200))],
    "/stemmen/<slug>": [Case("/stemmen/{open_round}", everyone(403)), Case("/stemmen/no-such-round", everyone(404))],
    "/stemmen/<slug>/stembiljet": [Case("/stemmen/{open_round}/stembiljet", everyone(403))],
    "/stemmen/<slug>/budget": [Case("/stemmen/{open_round}/budget", everyone(405))],
    "/stemmen/<slug>/uitbrengen": [Case("/stemmen/{open_round}/uitbrengen", everyone(405))],
    "/stemmen/<slug>/bewijs": [Case("/stemmen/{open_round}/bewijs", everyone(200))],
    "/stemmen/<slug>/controle": [Case("/stemmen/{open_round}/controle", everyone(200)),
                                 Case("/stemmen/{past_round}/controle", everyone(200))],
    "/beheer/rondes/<int:round_id>/stemcodes": [
        Case("/beheer/rondes/{open_round_id}/stemcodes", only("admin")),
        Case("/beheer/rondes/999999/stemcodes", everyone(404))],
    "/beheer/rondes/<int:round_id>/stemcodes/maken": [
        Case("/beheer/rondes/{open_round_id}/stemcodes/maken", everyone(405))],
    "/beheer/rondes/<int:round_id>/stemcodes/register": [
        Case("/beheer/rondes/{open_round_id}/stemcodes/register", everyone(405))],
    "/beheer/rondes/<int:round_id>/stemcodes/vervangen": [
        Case("/beheer/rondes/{open_round_id}/stemcodes/vervangen", everyone(405))],
    # Paper ballots: only while voting or counting.
    "/beheer/rondes/<int:round_id>/papier": [Case("/beheer/rondes/{open_round_id}/papier", everyone(403))],
    "/beheer/rondes/<int:round_id>/papier/<int:district_id>": [
        Case("/beheer/rondes/{open_round_id}/papier/{district_id}", everyone(403))],
    # Proposals (residents). Unknown proposals are 404 for everyone, before any permission check.
    "/rondes/<slug>/voorstellen": [
        Case("/rondes/{open_round}/voorstellen", everyone(200)),
        Case("/rondes/{past_round}/voorstellen?thema=green&volgorde=title", everyone(200)),
        Case("/rondes/{open_round}/voorstellen?wijk=onbekend", everyone(422)),
        Case("/rondes/{draft_round}/voorstellen", everyone(404)),
        Case("/rondes/no-such-round/voorstellen", everyone(404)),
    ],
    "/rondes/<slug>/voorstellen/nieuw": [
        Case("/rondes/{open_round}/voorstellen/nieuw", accounts(200)),
        Case("/rondes/{past_round}/voorstellen/nieuw", everyone(403)),  # only in the ideas phase
        Case("/rondes/{draft_round}/voorstellen/nieuw", everyone(404)),
    ],
    "/mijn-voorstellen": [Case("/mijn-voorstellen", accounts(200))],
    "/voorstellen/<int:proposal_id>": [Case("/voorstellen/999999", everyone(404))],
    "/voorstellen/<int:proposal_id>/afbeeldingen/<int:image_id>": [
        Case("/voorstellen/999999/afbeeldingen/1", everyone(404))],
    "/voorstellen/<int:proposal_id>/bewerken": [Case("/voorstellen/999999/bewerken", everyone(404))],
    "/voorstellen/<int:proposal_id>/intrekken": [Case("/voorstellen/999999/intrekken", everyone(404))],
    "/voorstellen/<int:proposal_id>/steun": [Case("/voorstellen/999999/steun", everyone(405))],
    "/voorstellen/<int:proposal_id>/steun/intrekken": [Case("/voorstellen/999999/steun/intrekken", everyone(405))],
    "/voorstellen/<int:proposal_id>/reacties": [Case("/voorstellen/999999/reacties", everyone(405))],
    # Results (issue 7): counting only in the counting phase; nothing counted is public before publication.
    "/beheer/rondes/<slug>/telling": [Case("/beheer/rondes/{open_round}/telling", everyone(403)),
                                      Case("/beheer/rondes/no-such-round/telling", everyone(404))],
    "/beheer/rondes/<slug>/publiceren": [Case("/beheer/rondes/{open_round}/publiceren", everyone(405))],
    # Only for rounds where a panel decides (the demo's initiatievenpotje, in voting).
    "/beheer/rondes/<slug>/panel": [Case("/beheer/rondes/{panel_round}/panel", only("admin")),
                                    Case("/beheer/rondes/{open_round}/panel", everyone(404)),  # a vote round
                                    Case("/beheer/rondes/no-such-round/panel", everyone(404))],
    "/beheer/rondes/<slug>/panel/<int:proposal_id>": [
        Case("/beheer/rondes/{panel_round}/panel/{panel_proposal_id}", everyone(405))],
    "/rondes/<slug>/uitslag": [Case("/rondes/{open_round}/uitslag", everyone(200)),  # "not yet" page
                               Case("/rondes/{past_round}/uitslag", everyone(200)),
                               Case("/rondes/no-such-round/uitslag", everyone(404))],
    "/rondes/<slug>/uitslag/<int:district_id>.pb": [
        Case("/rondes/{open_round}/uitslag/{district_id}.pb", everyone(404)),
        Case("/rondes/{past_round}/uitslag/999999.pb", everyone(404))],
    "/rondes/<slug>/uitslag.csv": [Case("/rondes/{open_round}/uitslag.csv", everyone(404)),
                                   Case("/rondes/{past_round}/uitslag.csv", everyone(200))],
    "/rondes/<slug>/evaluatie": [Case("/rondes/{open_round}/evaluatie", everyone(200)),
                                 Case("/rondes/{past_round}/evaluatie", everyone(200))],
    "/rondes/<slug>/evaluatie.csv": [Case("/rondes/{open_round}/evaluatie.csv", everyone(404)),
                                     Case("/rondes/{past_round}/evaluatie.csv", everyone(200))],
    "/raad": [Case("/raad", only("council", "admin"))],
    "/raad.csv": [Case("/raad.csv", only("council", "admin"))],
    "/raad/rapport.pdf": [Case("/raad/rapport.pdf", only("council", "admin"))],
    "/beheer/voorstellen/<int:proposal_id>/uitvoering": [
        Case("/beheer/voorstellen/999999/uitvoering", everyone(404))],
    "/uitvoering/<int:update_id>/foto": [Case("/uitvoering/999999/foto", everyone(404))],
    # Health probes (issue 8): for everyone, no login, no rate limit.
    "/healthz": [Case("/healthz", everyone(200))],
    "/readyz": [Case("/readyz", everyone(200))],
    # Metrics (issue 8): the test client comes from 127.0.0.1, an allowed network; other
    # networks and the token are tested in tests/health/test_metrics.py.
    "/metrics": [Case("/metrics", everyone(200))],
    # Background jobs (issue 8): admins only; starting one asks the job's own action and phase.
    "/beheer/taken": [Case("/beheer/taken", only("admin"))],
    "/beheer/taken/<int:job_id>": [Case("/beheer/taken/{job_id}", only("admin")),
                                   Case("/beheer/taken/999999", only("admin", ok=404))],
    "/beheer/taken/<int:job_id>/bestand": [Case("/beheer/taken/{job_id}/bestand", only("admin", ok=404))],
    "/beheer/taken/<int:job_id>/bestand/verwijderen": [
        Case("/beheer/taken/{job_id}/bestand/verwijderen", everyone(405))],
    "/beheer/rondes/<int:round_id>/stemcodes/achtergrond": [
        Case("/beheer/rondes/{open_round_id}/stemcodes/achtergrond", everyone(405))],
    "/beheer/rondes/<int:round_id>/telling/achtergrond": [
        Case("/beheer/rondes/{open_round_id}/telling/achtergrond", everyone(405))],
}

# POST with a valid CSRF token and an empty form, for every route that takes a POST. ---------------
POST: dict[str, list[Case]] = {
    "/login": [Case("/login", anonymous_only(422))],
    "/register": [Case("/register", anonymous_only(422))],
    "/login/2fa": [Case("/login/2fa", everyone(("redirect", 302, "/login")))],
    "/login/2fa/setup": [Case("/login/2fa/setup", everyone(("redirect", 302, "/login")))],
    "/logout": [Case("/logout", everyone(("redirect", 303, "/")))],
    "/language": [Case("/language", everyone(("redirect", 303, "/")))],
    "/confirm/resend": [Case("/confirm/resend", accounts(("redirect", 303, "/profile")))],
    "/password/forgot": [Case("/password/forgot", everyone(422))],
    "/password/reset/<token>": [
        Case("/password/reset/{reset_token}", everyone(422)),
        Case("/password/reset/not-a-token", everyone(400)),
    ],
    # Fields left out keep their current value (WTForms fills the form from the account).
    "/profile": [Case("/profile", accounts(("redirect", 303, "/profile")))],
    "/profile/password": [Case("/profile/password", accounts(422))],
    "/profile/delete": [Case("/profile/delete", accounts(422))],
    "/beheer/medewerkers/nieuw": [Case("/beheer/medewerkers/nieuw", only("admin", ok=422))],
    "/beheer/accounts/<int:user_id>/rollen": [
        # An empty choice is valid: the account is left without roles.
        Case("/beheer/accounts/{user_id}/rollen", only("admin", ok=("redirect", 303, "/beheer/medewerkers"))),
        Case("/beheer/accounts/999999/rollen", only("admin", ok=404)),
    ],
    # Rounds (processes): an empty form is refused with field errors.
    "/beheer/rondes/nieuw": [Case("/beheer/rondes/nieuw", only("admin", ok=422))],
    "/beheer/rondes/<int:round_id>": [
        Case("/beheer/rondes/{open_round_id}", only("admin", ok=422)),
        Case("/beheer/rondes/999999", only("admin", ok=404)),
    ],
    "/beheer/rondes/<int:round_id>/fasen": [Case("/beheer/rondes/{open_round_id}/fasen", only("admin", ok=422))],
    "/beheer/rondes/<int:round_id>/fase-wisselen": [
        Case("/beheer/rondes/{open_round_id}/fase-wisselen", only("admin", ok=422))],
    "/beheer/rondes/<int:round_id>/gebieden": [Case("/beheer/rondes/{open_round_id}/gebieden", only("admin", ok=422))],
    "/beheer/rondes/<int:round_id>/gebieden/<int:district_id>": [
        Case("/beheer/rondes/{open_round_id}/gebieden/{district_id}", only("admin", ok=422))],
    "/beheer/rondes/<int:round_id>/gebieden/<int:district_id>/verwijderen": [
        Case("/beheer/rondes/{open_round_id}/gebieden/999999/verwijderen", only("admin", ok=404))],
    "/beheer/rondes/<int:round_id>/gebieden/import": [
        Case("/beheer/rondes/{open_round_id}/gebieden/import", only("admin", ok=422))],
    # Feasibility review (reviews) and moderation.
    "/beheer/toets/voorstellen/<int:proposal_id>": [
        Case("/beheer/toets/voorstellen/999999", only("reviewer", "admin", ok=404))],
    "/beheer/toets/voorstellen/<int:proposal_id>/samenvoegen": [
        Case("/beheer/toets/voorstellen/999999/samenvoegen", only("reviewer", "admin", ok=404))],
    # The demo's open round has no supporters' minimum: refused with a message, back to the queue.
    "/beheer/toets/rondes/<slug>/te-weinig-steun": [
        Case("/beheer/toets/rondes/{open_round}/te-weinig-steun",
             only("reviewer", "admin", ok=("redirect", 303, "/beheer/toets?ronde=wijkbudgetten-2027"))),
        Case("/beheer/toets/rondes/no-such-round/te-weinig-steun", only("reviewer", "admin", ok=404))],
    "/melden/<target_type>/<int:target_id>": [
        Case("/melden/proposal/999999", everyone(404)), Case("/melden/comment/999999", everyone(404))],
    "/beheer/moderatie/<target_type>/<int:target_id>/verbergen": [
        Case("/beheer/moderatie/proposal/999999/verbergen", only("moderator", "admin", ok=404))],
    "/beheer/moderatie/<target_type>/<int:target_id>/afwijzen": [
        Case("/beheer/moderatie/comment/999999/afwijzen", only("moderator", "admin", ok=404))],
    "/beheer/moderatie/<target_type>/<int:target_id>/herstellen": [
        Case("/beheer/moderatie/comment/999999/herstellen", only("moderator", "admin", ok=404))],
    # Voting (voters, ballots).
    "/stemmen/<slug>": [Case("/stemmen/{open_round}", everyone(403))],
    "/stemmen/<slug>/stembiljet": [Case("/stemmen/{open_round}/stembiljet", everyone(403))],
    "/stemmen/<slug>/budget": [Case("/stemmen/{open_round}/budget", everyone(403))],
    "/stemmen/<slug>/uitbrengen": [Case("/stemmen/{open_round}/uitbrengen", everyone(403))],
    "/stemmen/<slug>/controle": [Case("/stemmen/{open_round}/controle", everyone(409)),
                                 Case("/stemmen/{past_round}/controle", everyone(422))],
    "/beheer/rondes/<int:round_id>/stemcodes/maken": [
        Case("/beheer/rondes/{open_round_id}/stemcodes/maken", only("admin", ok=422))],
    "/beheer/rondes/<int:round_id>/stemcodes/register": [
        Case("/beheer/rondes/{open_round_id}/stemcodes/register", only("admin", ok=422))],
    "/beheer/rondes/<int:round_id>/stemcodes/vervangen": [
        Case("/beheer/rondes/{open_round_id}/stemcodes/vervangen", only("admin", ok=422))],
    "/beheer/rondes/<int:round_id>/papier/<int:district_id>": [
        Case("/beheer/rondes/{open_round_id}/papier/{district_id}", everyone(403))],
    # Proposals (residents): an empty form is refused with field errors.
    "/rondes/<slug>/voorstellen/nieuw": [
        Case("/rondes/{open_round}/voorstellen/nieuw", accounts(422)),
        Case("/rondes/{past_round}/voorstellen/nieuw", everyone(403)),
    ],
    "/voorstellen/<int:proposal_id>/bewerken": [Case("/voorstellen/999999/bewerken", everyone(404))],
    "/voorstellen/<int:proposal_id>/intrekken": [Case("/voorstellen/999999/intrekken", everyone(404))],
    "/voorstellen/<int:proposal_id>/steun": [Case("/voorstellen/999999/steun", everyone(404))],
    "/voorstellen/<int:proposal_id>/steun/intrekken": [Case("/voorstellen/999999/steun/intrekken", everyone(404))],
    "/voorstellen/<int:proposal_id>/reacties": [Case("/voorstellen/999999/reacties", everyone(404))],
    # Results (issue 7).
    "/beheer/rondes/<slug>/telling": [Case("/beheer/rondes/{open_round}/telling", everyone(403))],
    "/beheer/rondes/<slug>/publiceren": [Case("/beheer/rondes/{open_round}/publiceren", everyone(403))],
    "/beheer/rondes/<slug>/panel/<int:proposal_id>": [
        Case("/beheer/rondes/{panel_round}/panel/{panel_proposal_id}", only("admin", ok=422)),
        Case("/beheer/rondes/{panel_round}/panel/999999", only("admin", ok=404)),
        Case("/beheer/rondes/{open_round}/panel/{panel_proposal_id}", everyone(404))],
    "/beheer/voorstellen/<int:proposal_id>/uitvoering": [
        Case("/beheer/voorstellen/999999/uitvoering", everyone(404))],
    # Background jobs (issue 8).
    "/beheer/taken/<int:job_id>/bestand/verwijderen": [
        Case("/beheer/taken/999999/bestand/verwijderen", only("admin", ok=404))],
    "/beheer/rondes/<int:round_id>/stemcodes/achtergrond": [
        Case("/beheer/rondes/{open_round_id}/stemcodes/achtergrond", only("admin", ok=422))],
    "/beheer/rondes/<int:round_id>/telling/achtergrond": [  # the open round is not being counted
        Case("/beheer/rondes/{open_round_id}/telling/achtergrond", everyone(403))],
}


def _params(table: dict[str, list[Case]], method: str) -> list[Any]:
    return [pytest.param(case, id=f"{method} {case.url}") for cases in table.values() for case in cases]


def make_objects(app: Flask) -> dict[str, Any]:
    """Real objects for the URL placeholders, on top of the demo data (flushes and commits)."""
    now = utcnow()
    draft = Round(slug="nog-niet-open", name="Nog niet open", description="")
    draft.phases.append(RoundPhase(phase="ideas", starts_at=now + dt.timedelta(days=10),
                                   ends_at=now + dt.timedelta(days=20)))
    draft.districts.append(District(name="Overal", kind="gemeente", budget_cents=100_00))
    db.session.add(draft)
    db.session.commit()
    resident = ops.find_user_by_email(DEMO_EMAILS["resident"])
    with app.test_request_context():
        tokens = {"confirm_token": make_token(resident, "confirm"), "reset_token": make_token(resident, "reset")}
    slugs = set(db.session.scalars(sa.select(Round.slug)))
    assert {"wijkbudgetten-2027", "burgerbegroting-2026"} <= slugs
    open_round = db.session.scalars(sa.select(Round).where(Round.slug == "wijkbudgetten-2027")).one()
    panel_round = db.session.scalars(sa.select(Round).where(Round.slug == "initiatievenpotje-2026")).one()
    assert panel_round.decision == "panel"
    panel_proposal_id = db.session.scalars(sa.select(Proposal.id).where(
        Proposal.round_id == panel_round.id, Proposal.status == "feasible").order_by(Proposal.id)).first()
    assert panel_proposal_id is not None
    job = Job(kind="count", status="done", round_id=open_round.id, progress_done=1, progress_total=1)
    db.session.add(job)
    db.session.commit()
    return {"job_id": job.id,
            "user_id": resident.id, "open_round": "wijkbudgetten-2027", "past_round": "burgerbegroting-2026",
            "draft_round": draft.slug, "open_round_id": open_round.id, "district_id": open_round.districts[0].id,
            "panel_round": panel_round.slug, "panel_proposal_id": panel_proposal_id,
            **tokens}


@pytest.fixture(scope="module", autouse=True)
def _db(app: Flask) -> Iterator[dict[str, Any]]:
    """Replaces the per-test database of tests/conftest.py in this module: the demo data takes
    seconds to make, so it is made once, in a transaction rolled back after the module. Every
    test runs in a savepoint of its own (``_each_test``), every role in one more."""
    with app.app_context(), rolled_back_session():
        demo.seed()
        db.session.commit()
        yield make_objects(app)


@pytest.fixture(autouse=True)
def _each_test(_db: dict[str, Any]) -> Iterator[None]:
    yield from savepoint_per_test()


@pytest.fixture
def objects(_db: dict[str, Any]) -> dict[str, Any]:
    return _db


def _problem(response, expect: Expect) -> str | None:  # type: ignore[no-untyped-def]
    """What is wrong with ``response`` (None when it is what the table says)."""
    got = f"{response.status_code} {response.headers.get('Location', '')}".strip()
    if expect == LOGIN:
        ok = response.status_code == 302 and response.headers["Location"].startswith("/login?next=")
        return None if ok else f"expected a redirect to the login page, got {got}"
    if isinstance(expect, tuple):
        _kind, status, location = expect
        ok = response.status_code == status and response.headers.get("Location") == location
        return None if ok else f"expected {status} {location}, got {got}"
    if response.status_code != expect:
        return f"expected {expect}, got {got}"
    if expect >= 400 and (response.mimetype != "text/html" or "<h1" not in html(response)):
        return "expected a friendly error page"  # not a bare error
    return None


def _walk_roles(app: Flask, method: str, url: str, case: Case) -> None:
    """Ask ``url`` as every role; each role in its own savepoint, so no role sees another's
    changes. Reports every role that got something else than the table says."""
    problems = []
    for role in ROLES:
        savepoint = db.session.begin_nested()
        db.session.connection()  # the SAVEPOINT is sent now, not when the session first needs it
        try:
            client = app.test_client()
            _login(client, role)
            data = {"csrf_token": token(client)} if method == "POST" else None
            response = client.open(url, method=method, data=data)
            problem = _problem(response, case.expect[role])
            if problem:
                problems.append(f"  as {role}: {problem}")
        finally:
            savepoint.rollback()
            db.session.expire_all()
    assert not problems, f"{method} {url}\n" + "\n".join(problems)


def _login(client, role: str) -> None:  # type: ignore[no-untyped-def]
    if role != "anonymous":
        login_as(client, role)


def _rules(app: Flask) -> list[Any]:
    return [rule for rule in app.url_map.iter_rules() if rule.endpoint != "static"]


def test_every_route_is_in_the_table(app: Flask) -> None:
    rules = {rule.rule for rule in _rules(app)}
    missing = sorted(rules - set(GET))
    assert not missing, f"routes without an access-matrix entry (add them to GET): {missing}"
    assert not sorted(set(GET) - rules), "entries for routes that do not exist"
    posting = {rule.rule for rule in _rules(app) if "POST" in (rule.methods or ())}
    missing = sorted(posting - set(POST))
    assert not missing, f"routes that take a POST without an access-matrix entry (add them to POST): {missing}"
    assert not sorted(set(POST) - posting), "POST entries for routes that take no POST"


def test_every_case_hits_its_own_route(app: Flask) -> None:
    """The URLs in the table match the rule they stand for (so a typo cannot hide a route)."""
    class Sample(dict):  # type: ignore[type-arg]
        def __missing__(self, key: str) -> str:
            return "1"

    sample = Sample()
    adapter = app.url_map.bind("localhost")
    for table, method in ((GET, "GET"), (POST, "POST")):
        for rule_text, cases in table.items():
            for case in cases:
                url = case.url.format_map(sample).split("?")[0]
                assert set(case.expect) == set(ROLES), url
                try:
                    rule, _args = adapter.match(url, method=method, return_rule=True)
                except MethodNotAllowed:
                    assert method == "GET" and all(v == 405 for v in case.expect.values()), url
                    continue
                except NotFound:
                    raise AssertionError(f"{url} matches no route") from None
                own = [r for r in app.url_map.iter_rules() if r.rule == rule_text]
                if not any(method in (r.methods or ()) for r in own):
                    continue  # a GET on a POST-only route may fall through to another route
                assert rule.rule == rule_text, (url, rule.rule, rule_text)


@pytest.mark.parametrize("case", _params(GET, "GET"))
def test_get(app, objects, case: Case) -> None:  # type: ignore[no-untyped-def]
    _walk_roles(app, "GET", case.url.format(**objects), case)


@pytest.mark.parametrize("case", _params(POST, "POST"))
def test_post(app, objects, case: Case) -> None:  # type: ignore[no-untyped-def]
    _walk_roles(app, "POST", case.url.format(**objects), case)


@pytest.mark.parametrize(("rule", "case"), [pytest.param(r, c, id=c.url) for r, cs in POST.items() for c in cs])
def test_post_without_csrf_token_is_refused(client, objects, rule: str, case: Case) -> None:  # type: ignore[no-untyped-def]
    login_as(client, "admin")
    url = case.url.format(**objects)
    response = client.post(url, data={})
    assert response.status_code == 400
    assert response.mimetype == "text/html"
