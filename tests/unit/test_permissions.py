"""The permission table: who may do what, and in which phase. Pure, no app."""

from __future__ import annotations

import pytest

from burgerbegroting.core.permissions import (
    ANYONE,
    RULES,
    STAFF_ROLES,
    Action,
    Role,
    is_phase_bound,
    is_staff,
    may,
)
from burgerbegroting.processes.phases import Phase

ROLES = list(Role)
PHASES = list(Phase)

# The foundation's actions, written out per role (not derived from the table under test).
NOT_PHASE_BOUND = {
    Action.MANAGE_STAFF: {Role.ADMIN},
    Action.VIEW_AUDIT_LOG: {Role.ADMIN},
    Action.VIEW_STAFF_AREA: {Role.REVIEWER, Role.MODERATOR, Role.ADMIN, Role.COUNCIL},
}


def test_every_action_has_a_rule() -> None:
    assert set(RULES) == set(Action)


@pytest.mark.parametrize("action", list(NOT_PHASE_BOUND))
@pytest.mark.parametrize("role", ROLES)
def test_staff_actions_per_role(action: Action, role: Role) -> None:
    expected = role in NOT_PHASE_BOUND[action]
    assert may([role], action) is expected
    # The phase does not matter for these actions.
    for phase in PHASES:
        assert may([role], action, phase) is expected


@pytest.mark.parametrize("action", list(NOT_PHASE_BOUND))
def test_nobody_without_roles(action: Action) -> None:
    assert may([], action) is False
    assert may(set(), action, Phase.IDEAS) is False


def test_any_one_of_several_roles_is_enough() -> None:
    assert may([Role.RESIDENT, Role.ADMIN], Action.MANAGE_STAFF) is True
    assert may({"resident", "reviewer"}, Action.VIEW_STAFF_AREA) is True
    assert may([Role.RESIDENT, Role.COUNCIL], Action.MANAGE_STAFF) is False


def test_roles_as_plain_strings_count_like_enum_members() -> None:
    for role in ROLES:
        assert may([role.value], Action.VIEW_STAFF_AREA) == may([role], Action.VIEW_STAFF_AREA)


def test_an_unknown_role_string_grants_nothing() -> None:
    assert may(["superuser"], Action.MANAGE_STAFF) is False
    assert may(["ADMIN"], Action.MANAGE_STAFF) is False  # codes are lower case


@pytest.mark.parametrize("action", [a for a in Action if RULES[a].phases is not None])
def test_phase_bound_actions_are_refused_without_a_phase(action: Action) -> None:
    assert is_phase_bound(action)
    everyone = [*ROLES, ANYONE]
    assert may(everyone, action) is False
    assert may(everyone, action, None) is False


@pytest.mark.parametrize("action", list(Action))
def test_phase_bound_actions_only_in_their_phases(action: Action) -> None:
    rule = RULES[action]
    everyone = [*ROLES, ANYONE]
    for phase in PHASES:
        expected = rule.phases is None or phase in rule.phases
        assert may(everyone, action, phase) is expected, (action, phase)


def test_voting_is_for_anyone_and_only_while_voting() -> None:
    assert may([], Action.CAST_BALLOT, Phase.VOTING) is True  # a voting code, no account
    for phase in PHASES:
        if phase != Phase.VOTING:
            assert may([*ROLES], Action.CAST_BALLOT, phase) is False, phase


def test_proposals_are_sent_in_by_account_holders_in_the_ideas_phase() -> None:
    assert may([Role.RESIDENT], Action.SUBMIT_PROPOSAL, Phase.IDEAS) is True
    assert may([], Action.SUBMIT_PROPOSAL, Phase.IDEAS) is False
    assert may([Role.RESIDENT], Action.SUBMIT_PROPOSAL, Phase.REVIEW) is False
    assert may([Role.RESIDENT], Action.SUBMIT_PROPOSAL, Phase.DRAFT) is False


def test_reviews_only_by_reviewers_in_the_review_phase() -> None:
    assert may([Role.REVIEWER], Action.REVIEW_PROPOSAL, Phase.REVIEW) is True
    assert may([Role.REVIEWER], Action.REVIEW_PROPOSAL, Phase.IDEAS) is False
    for role in set(ROLES) - {Role.REVIEWER}:
        assert may([role], Action.REVIEW_PROPOSAL, Phase.REVIEW) is False, role


def test_results_are_public_only_after_publication() -> None:
    assert may([], Action.VIEW_RESULTS, Phase.RESULTS) is True
    assert may([], Action.VIEW_RESULTS, Phase.CLOSED) is True
    assert may([Role.ADMIN, Role.COUNCIL], Action.VIEW_RESULTS, Phase.COUNTING) is False
    assert may([Role.ADMIN, Role.COUNCIL], Action.VIEW_RESULTS, Phase.VOTING) is False


def test_residents_can_do_nothing_in_a_draft_round() -> None:
    for action in Action:
        assert may([Role.RESIDENT], action, Phase.DRAFT) is False, action
        assert may([], action, Phase.DRAFT) is False, action


def test_staff_roles() -> None:
    assert frozenset({Role.REVIEWER, Role.MODERATOR, Role.ADMIN, Role.COUNCIL}) == STAFF_ROLES
    assert Role.RESIDENT not in STAFF_ROLES


@pytest.mark.parametrize(
    ("roles", "expected"),
    [
        ([], False),
        ([Role.RESIDENT], False),
        (["resident"], False),
        ([Role.REVIEWER], True),
        ([Role.MODERATOR], True),
        (["admin"], True),
        ([Role.COUNCIL], True),
        ([Role.RESIDENT, Role.COUNCIL], True),
    ],
)
def test_is_staff(roles: list, expected: bool) -> None:
    assert is_staff(roles) is expected


def test_is_staff_refuses_an_unknown_role() -> None:
    with pytest.raises(ValueError):
        is_staff(["superuser"])
