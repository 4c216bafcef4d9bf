"""Who may do what: one pure table, asked by views, operations and templates.

Roles are what a person is; actions are what they try to do. Phase-bound actions (submit a
proposal in the ideas phase, vote in the voting phase) join this table as the rounds come in;
every route is covered by the access-matrix test in ``tests/web/test_access_matrix.py``.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum


class Role(StrEnum):
    RESIDENT = "resident"
    REVIEWER = "reviewer"
    MODERATOR = "moderator"
    ADMIN = "admin"
    COUNCIL = "council"


STAFF_ROLES = frozenset({Role.REVIEWER, Role.MODERATOR, Role.ADMIN, Role.COUNCIL})


class Action(StrEnum):
    MANAGE_STAFF = "manage_staff"
    VIEW_AUDIT_LOG = "view_audit_log"
    VIEW_STAFF_AREA = "view_staff_area"


ALLOWED: dict[Action, frozenset[Role]] = {
    Action.MANAGE_STAFF: frozenset({Role.ADMIN}),
    Action.VIEW_AUDIT_LOG: frozenset({Role.ADMIN}),
    Action.VIEW_STAFF_AREA: STAFF_ROLES,
}


def may(roles: Iterable[Role | str], action: Action) -> bool:
    """True when any of ``roles`` is allowed to perform ``action``."""
    allowed = ALLOWED.get(action, frozenset())
    return any(Role(role) in allowed for role in roles)


def is_staff(roles: Iterable[Role | str]) -> bool:
    return any(Role(role) in STAFF_ROLES for role in roles)
