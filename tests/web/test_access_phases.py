"""Route × role × phase: for every phase-bound action one representative route, asked by every
role in a round in every phase. The server must allow exactly when ``permissions.may`` says so.

Allowed: the answer in ``ALLOWED`` (the page; 422 where an empty form is posted, so nothing
changes; the support button's redirect back to the proposal, never to the login page).
Refused: 403; for anonymous visitors a redirect to the login page when someone with an account
could do it now. Where the code deliberately hides a refusal as 404, ``HIDDEN`` says so, and why.
Where a route disagrees with the table, ``KNOWN`` marks the case as a strict xfail, with why.

Eight rounds, one per phase, are made once for the module (all windows in the future first,
so the rule lock lets the proposals in; then the windows are moved into place). Each case runs
in a savepoint of its own.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from burgerbegroting import demo
from burgerbegroting.auth import operations as auth_ops
from burgerbegroting.core.permissions import Action, Role, may
from burgerbegroting.core.timeutil import utcnow
from burgerbegroting.extensions import db
from burgerbegroting.processes.models import District, Round, RoundPhase
from burgerbegroting.processes.phases import Phase
from burgerbegroting.proposals.models import Proposal
from tests.conftest import csrf_from, rolled_back_session
from tests.web.conftest import DEMO_EMAILS, login_as, savepoint_per_test

ROLES = ("anonymous", "resident", "reviewer", "moderator", "admin", "council")
# The phases with a window, in order; DRAFT is before the first, CLOSED after the last.
WINDOWS = (Phase.IDEAS, Phase.REVIEW, Phase.VOTING, Phase.COUNTING, Phase.RESULTS, Phase.IMPLEMENTATION)
PHASES = (Phase.DRAFT, *WINDOWS, Phase.CLOSED)
DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class Route:
    method: str
    # Filled from the round of the phase and the role: {slug}, {round_id}, {own} (a published
    # proposal by the acting user), {other} (a published proposal without author), {selected};
    # {panel_slug} and {panel_feasible}: a round in the same phase where a panel decides, and a
    # feasible proposal in it.
    url: str


ROUTES: dict[Action, Route] = {
    Action.SUBMIT_PROPOSAL: Route("GET", "/rondes/{slug}/voorstellen/nieuw"),
    Action.EDIT_PROPOSAL: Route("GET", "/voorstellen/{own}/bewerken"),
    Action.WITHDRAW_PROPOSAL: Route("GET", "/voorstellen/{own}/intrekken"),
    Action.SUPPORT_PROPOSAL: Route("POST", "/voorstellen/{other}/steun"),
    Action.COMMENT: Route("POST", "/voorstellen/{other}/reacties"),
    Action.REVIEW_PROPOSAL: Route("POST", "/beheer/toets/voorstellen/{other}"),
    Action.MERGE_DUPLICATES: Route("POST", "/beheer/toets/voorstellen/{other}/samenvoegen"),
    Action.REPORT_CONTENT: Route("GET", "/melden/proposal/{other}"),
    Action.CAST_BALLOT: Route("GET", "/stemmen/{slug}"),
    Action.ENTER_PAPER_BALLOT: Route("GET", "/beheer/rondes/{round_id}/papier"),
    Action.RUN_COUNT: Route("GET", "/beheer/rondes/{slug}/telling"),
    Action.PUBLISH_RESULTS: Route("POST", "/beheer/rondes/{slug}/publiceren"),
    Action.VIEW_RESULTS: Route("GET", "/rondes/{slug}/uitslag.csv"),
    Action.UPDATE_IMPLEMENTATION: Route("GET", "/beheer/voorstellen/{selected}/uitvoering"),
    Action.MANAGE_VOTING_CODES: Route("GET", "/beheer/rondes/{round_id}/stemcodes"),
    Action.CONFIGURE_ROUND: Route("POST", "/beheer/rondes/{round_id}"),
    Action.RECORD_PANEL_DECISION: Route("POST", "/beheer/rondes/{panel_slug}/panel/{panel_feasible}"),
}

# Refusals the code answers with 404 on purpose, per action: the phases where that happens.
HIDDEN: dict[Action, frozenset[Phase]] = {
    # A round is not public before its first phase: its proposal form does not exist yet.
    Action.SUBMIT_PROPOSAL: frozenset({Phase.DRAFT}),
    # Idem for the voting page of a draft round.
    Action.CAST_BALLOT: frozenset({Phase.DRAFT}),
    # Nothing counted is public before publication: the CSV does not exist until then.
    Action.VIEW_RESULTS: frozenset(PHASES),
}

# Cases where the route does not do what the table says (real discrepancies, reported).
KNOWN: dict[tuple[Action, Phase, str], str] = {}


def roles_of(role: str) -> list[Role]:
    return [] if role == "anonymous" else [Role(role)]


def windows_for(phase: Phase, now: dt.datetime) -> list[tuple[Phase, dt.datetime, dt.datetime]]:
    """Ten-day windows placed so that ``now`` is in the middle of ``phase``'s (before the first
    window for DRAFT, after the last for CLOSED)."""
    current = PHASES.index(phase) - 1  # DRAFT: -1, IDEAS: 0, ..., CLOSED: len(WINDOWS)
    return [(w, now + (i - current) * 10 * DAY - 5 * DAY, now + (i - current + 1) * 10 * DAY - 5 * DAY)
            for i, w in enumerate(WINDOWS)]


def build_rounds(user_ids: dict[str, int]) -> dict[Phase, dict[str, Any]]:
    """One round per phase with a feasible proposal on its ballot, a published proposal per role
    (by that role's account), one without author and one selected for funding. Everything is
    made with the windows far in the future, then the windows are moved into place: the rule
    lock refuses ballot changes once voting has started. Beside each, a round in the same phase
    where a panel decides, with one feasible proposal."""
    now = utcnow()
    rounds: dict[Phase, Round] = {}
    panels: dict[Phase, Round] = {}
    for phase in PHASES:
        round_ = Round(slug=f"fase-{phase.value}", name=f"Ronde in fase {phase.value}", eligibility="postcode")
        round_.phases = [RoundPhase(phase=w.value, starts_at=s + 400 * DAY, ends_at=e + 400 * DAY)
                         for w, s, e in windows_for(Phase.DRAFT, now)]
        round_.districts = [District(name=f"Wijk {phase.value}", kind="wijk", budget_cents=100_000_00,
                                     postcodes="9999")]
        db.session.add(round_)
        rounds[phase] = round_
        panel = Round(slug=f"panel-fase-{phase.value}", name=f"Panelronde in fase {phase.value}",
                      eligibility="account", decision="panel")
        panel.phases = [RoundPhase(phase=w.value, starts_at=s + 400 * DAY, ends_at=e + 400 * DAY)
                        for w, s, e in windows_for(Phase.DRAFT, now)]
        panel.districts = [District(name=f"Gemeente {phase.value}", kind="gemeente", budget_cents=5_000_00,
                                    postcodes="9999")]
        db.session.add(panel)
        panels[phase] = panel
    db.session.flush()
    objects: dict[Phase, dict[str, Any]] = {}
    for phase, round_ in rounds.items():
        district_id = round_.districts[0].id

        def proposal(title: str, status: str, author_id: int | None = None,
                     round_id: int = round_.id, district: int = district_id) -> Proposal:
            made = Proposal(round_id=round_id, district_id=district, title=title, summary="Samenvatting",
                            body="Beschrijving", cost_cents=10_000_00, status=status, author_id=author_id)
            db.session.add(made)
            return made

        own = {role: proposal(f"Plan van {role}", "published", user_ids[role]) for role in ROLES[1:]}
        other = proposal("Plan zonder auteur", "published")
        selected = proposal("Gekozen plan", "selected")
        proposal("Plan op het stembiljet", "feasible")
        panel_feasible = proposal("Plan voor het panel", "feasible", round_id=panels[phase].id,
                                  district=panels[phase].districts[0].id)
        db.session.flush()
        objects[phase] = {"slug": round_.slug, "round_id": round_.id, "other": other.id, "selected": selected.id,
                          "own": {role: p.id for role, p in own.items()},
                          "panel_slug": panels[phase].slug, "panel_feasible": panel_feasible.id}
    db.session.flush()
    for phase, round_ in [*rounds.items(), *panels.items()]:
        placed = {w: (s, e) for w, s, e in windows_for(phase, now)}
        for window in round_.phases:
            window.starts_at, window.ends_at = placed[Phase(window.phase)]
    db.session.commit()
    for phase, round_ in [*rounds.items(), *panels.items()]:
        assert round_.phase_at() == phase, (phase, round_.phase_at())
    return objects


@pytest.fixture(scope="module", autouse=True)
def _db(app: Flask) -> Iterator[dict[str, Any]]:
    """Replaces the per-test database of tests/conftest.py in this module: accounts, rounds and
    logged-in clients are made once, in a transaction rolled back after the module."""
    with app.app_context(), rolled_back_session():
        demo.seed_accounts()
        db.session.commit()
        user_ids = {role: auth_ops.find_user_by_email(email).id for role, email in DEMO_EMAILS.items()}
        objects = build_rounds(user_ids)
        clients: dict[str, tuple[FlaskClient, str]] = {}
        for role in ROLES:
            client = app.test_client()
            if role != "anonymous":
                login_as(client, role)
            response = client.get("/")
            assert response.status_code == 200
            clients[role] = (client, csrf_from(response.get_data(as_text=True)))
        db.session.commit()
        yield {"rounds": objects, "clients": clients}


@pytest.fixture(autouse=True)
def _each_test(_db: dict[str, Any]) -> Iterator[None]:
    yield from savepoint_per_test()


# What an allowed request gets: the page (200), the form refused as empty (422), or for the
# support button a redirect back to the proposal (303).
ALLOWED: dict[Action, int] = {
    **dict.fromkeys(ROUTES, 200),
    Action.SUPPORT_PROPOSAL: 303,
    Action.COMMENT: 422,
    Action.REVIEW_PROPOSAL: 422,
    Action.MERGE_DUPLICATES: 422,
    Action.PUBLISH_RESULTS: 422,
    Action.CONFIGURE_ROUND: 422,
    Action.RECORD_PANEL_DECISION: 422,
}

# Routes that first check an action bound to no phase (the review queue, managing rounds), so
# an anonymous visitor is always asked to log in first.
LOGIN_FIRST = frozenset({Action.REVIEW_PROPOSAL, Action.MERGE_DUPLICATES, Action.CONFIGURE_ROUND})
LOGIN = "login"


def expected(action: Action, phase: Phase, role: str) -> int | str:
    """The answer the table asks for: a status code, or ``LOGIN`` (302 to the login page)."""
    if may(roles_of(role), action, phase):
        return ALLOWED[action]
    if phase in HIDDEN.get(action, frozenset()):
        return 404
    if role == "anonymous" and (action in LOGIN_FIRST or may(list(Role), action, phase)):
        return LOGIN  # someone with an account could do it now
    return 403


def problem(response, expect: int | str) -> str | None:  # type: ignore[no-untyped-def]
    """What is wrong with ``response`` (None when it is what the table says)."""
    status = response.status_code
    location = response.headers.get("Location", "")
    got = f"{status} {location}".strip()
    if expect == LOGIN:
        ok = status == 302 and location.startswith("/login?next=")
        return None if ok else f"expected a redirect to the login page, got {got}"
    if status != expect:
        return f"expected {expect}, got {got}"
    if status in (302, 303) and location.startswith("/login"):
        return f"expected a redirect, but not to the login page: {got}"
    if status >= 400 and (response.mimetype != "text/html" or "<h1" not in response.get_data(as_text=True)):
        return "expected a friendly error page"
    return None


def _cases() -> list[Any]:
    params = []
    for action in ROUTES:
        for phase in PHASES:
            for role in ROLES:
                reason = KNOWN.get((action, phase, role))
                marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
                params.append(pytest.param(action, phase, role, marks=marks,
                                           id=f"{action.value}-{phase.value}-{role}"))
    return params


def _url(route: Route, objects: dict[str, Any], role: str) -> str:
    own = objects["own"]["resident" if role == "anonymous" else role]
    return route.url.format(slug=objects["slug"], round_id=objects["round_id"], other=objects["other"],
                            selected=objects["selected"], own=own, panel_slug=objects["panel_slug"],
                            panel_feasible=objects["panel_feasible"])


@pytest.mark.parametrize(("action", "phase", "role"), _cases())
def test_route_follows_the_permission_table(_db: dict[str, Any], action: Action, phase: Phase,
                                            role: str) -> None:
    route = ROUTES[action]
    client, csrf = _db["clients"][role]
    url = _url(route, _db["rounds"][phase], role)
    data = {"csrf_token": csrf} if route.method == "POST" else None
    response = client.open(url, method=route.method, data=data)
    found = problem(response, expected(action, phase, role))
    assert found is None, f"{route.method} {url} as {role} in {phase.value}: {found}"


def test_every_phase_bound_action_is_covered() -> None:
    """A new phase-bound action needs a representative route here."""
    from burgerbegroting.core.permissions import RULES

    bound = {action for action, rule in RULES.items() if rule.phases is not None}
    assert set(ROUTES) == bound


def test_the_table_has_both_answers_for_every_action() -> None:
    """Each action is allowed somewhere and refused somewhere, so every route is tested both ways."""
    for action in ROUTES:
        answers = {may(roles_of(role), action, phase) for role in ROLES for phase in PHASES}
        assert answers == {True, False}, action
