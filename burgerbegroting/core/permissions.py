"""Who may do what, and when: one pure table, asked by views, operations and templates.

Roles are what a person is; actions are what they try to do; phases are where the round is.
An action is allowed when the person has one of its roles **and** (for phase-bound actions)
the round is in one of its phases. ``ANYONE`` stands for every visitor, logged in or not
(e.g. a resident who votes with a voting code and has no account).

Every route is covered by the access-matrix tests in ``tests/web/``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from burgerbegroting.processes.phases import Phase


class Role(StrEnum):
    RESIDENT = "resident"
    REVIEWER = "reviewer"
    MODERATOR = "moderator"
    ADMIN = "admin"
    COUNCIL = "council"


STAFF_ROLES = frozenset({Role.REVIEWER, Role.MODERATOR, Role.ADMIN, Role.COUNCIL})
ALL_ROLES = frozenset(Role)
# Every visitor, with or without an account.
ANYONE = "anyone"


class Action(StrEnum):
    # Not bound to a phase.
    MANAGE_STAFF = "manage_staff"
    VIEW_AUDIT_LOG = "view_audit_log"
    VIEW_STAFF_AREA = "view_staff_area"
    MANAGE_ROUNDS = "manage_rounds"
    MODERATE = "moderate"
    REPORT_CONTENT = "report_content"
    VIEW_REVIEW_QUEUE = "view_review_queue"
    VIEW_COUNCIL_DASHBOARD = "view_council_dashboard"
    VIEW_JOBS = "view_jobs"
    # Bound to phases.
    CONFIGURE_ROUND = "configure_round"
    SUBMIT_PROPOSAL = "submit_proposal"
    EDIT_PROPOSAL = "edit_proposal"
    WITHDRAW_PROPOSAL = "withdraw_proposal"
    SUPPORT_PROPOSAL = "support_proposal"
    COMMENT = "comment"
    REVIEW_PROPOSAL = "review_proposal"
    MERGE_DUPLICATES = "merge_duplicates"
    RECORD_PANEL_DECISION = "record_panel_decision"
    MANAGE_VOTING_CODES = "manage_voting_codes"
    CAST_BALLOT = "cast_ballot"
    ENTER_PAPER_BALLOT = "enter_paper_ballot"
    RUN_COUNT = "run_count"
    PUBLISH_RESULTS = "publish_results"
    VIEW_RESULTS = "view_results"
    UPDATE_IMPLEMENTATION = "update_implementation"


@dataclass(frozen=True)
class Rule:
    roles: frozenset[str]
    # None: any phase (or not about a round at all).
    phases: frozenset[Phase] | None = None


def _r(*roles: str) -> frozenset[str]:
    return frozenset(roles)


def _p(*phases: Phase) -> frozenset[Phase]:
    return frozenset(phases)


PUBLIC_PHASES = _p(Phase.IDEAS, Phase.REVIEW, Phase.VOTING, Phase.COUNTING, Phase.RESULTS,
                   Phase.IMPLEMENTATION, Phase.CLOSED)
AFTER_PUBLICATION = _p(Phase.RESULTS, Phase.IMPLEMENTATION, Phase.CLOSED)

RULES: dict[Action, Rule] = {
    Action.MANAGE_STAFF: Rule(_r(Role.ADMIN)),
    Action.VIEW_AUDIT_LOG: Rule(_r(Role.ADMIN)),
    Action.VIEW_STAFF_AREA: Rule(STAFF_ROLES),
    Action.MANAGE_ROUNDS: Rule(_r(Role.ADMIN)),
    Action.MODERATE: Rule(_r(Role.MODERATOR, Role.ADMIN)),
    Action.REPORT_CONTENT: Rule(ALL_ROLES, PUBLIC_PHASES),
    Action.VIEW_REVIEW_QUEUE: Rule(_r(Role.REVIEWER, Role.ADMIN)),
    Action.VIEW_COUNCIL_DASHBOARD: Rule(_r(Role.COUNCIL, Role.ADMIN)),
    # Background jobs (letters, counting): starting one asks the job's own action too.
    Action.VIEW_JOBS: Rule(_r(Role.ADMIN)),
    # The settings page stays open in every phase (name, description, eligibility texts can
    # still be corrected); the rule lock (operations and database) freezes what the vote
    # depends on once voting opens.
    Action.CONFIGURE_ROUND: Rule(_r(Role.ADMIN), _p(Phase.DRAFT, *PUBLIC_PHASES)),
    Action.SUBMIT_PROPOSAL: Rule(ALL_ROLES, _p(Phase.IDEAS)),
    Action.EDIT_PROPOSAL: Rule(ALL_ROLES, _p(Phase.IDEAS)),
    Action.WITHDRAW_PROPOSAL: Rule(ALL_ROLES, _p(Phase.IDEAS, Phase.REVIEW)),
    Action.SUPPORT_PROPOSAL: Rule(ALL_ROLES, _p(Phase.IDEAS)),
    Action.COMMENT: Rule(ALL_ROLES, _p(Phase.IDEAS, Phase.REVIEW)),
    Action.REVIEW_PROPOSAL: Rule(_r(Role.REVIEWER), _p(Phase.REVIEW)),
    Action.MERGE_DUPLICATES: Rule(_r(Role.REVIEWER), _p(Phase.IDEAS, Phase.REVIEW)),
    Action.RECORD_PANEL_DECISION: Rule(_r(Role.ADMIN), _p(Phase.VOTING, Phase.COUNTING)),
    Action.MANAGE_VOTING_CODES: Rule(_r(Role.ADMIN), _p(Phase.DRAFT, Phase.IDEAS, Phase.REVIEW, Phase.VOTING)),
    Action.CAST_BALLOT: Rule(_r(ANYONE), _p(Phase.VOTING)),
    Action.ENTER_PAPER_BALLOT: Rule(_r(Role.ADMIN), _p(Phase.VOTING, Phase.COUNTING)),
    Action.RUN_COUNT: Rule(_r(Role.ADMIN), _p(Phase.COUNTING)),
    Action.PUBLISH_RESULTS: Rule(_r(Role.ADMIN), _p(Phase.COUNTING)),
    Action.VIEW_RESULTS: Rule(_r(ANYONE), AFTER_PUBLICATION),
    Action.UPDATE_IMPLEMENTATION: Rule(_r(Role.ADMIN), _p(Phase.RESULTS, Phase.IMPLEMENTATION)),
}


def may(roles: Iterable[Role | str], action: Action, phase: Phase | None = None) -> bool:
    """True when one of ``roles`` may perform ``action`` (in ``phase``, for phase-bound actions).

    A phase-bound action asked without a phase is refused: the caller must say where the
    round is.
    """
    rule = RULES.get(action)
    if rule is None:
        return False
    role_ok = ANYONE in rule.roles or any(str(role) in rule.roles for role in roles)
    if not role_ok:
        return False
    if rule.phases is None:
        return True
    return phase is not None and phase in rule.phases


def is_phase_bound(action: Action) -> bool:
    return RULES[action].phases is not None


def is_staff(roles: Iterable[Role | str]) -> bool:
    return any(Role(role) in STAFF_ROLES for role in roles)
