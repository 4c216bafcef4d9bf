"""Moderators' actions in the hash-chained audit log (reports by residents are not staff
actions and are not logged there)."""

from __future__ import annotations

from typing import Any

from burgerbegroting.core import audit, signals


def _on_hidden(target: Any, actor_id: int | None, reason: str, reports_closed: int = 0, **_: Any) -> None:
    audit.record(actor_id, "content_hidden", target.key, {"reason": reason, "reports_closed": reports_closed})


def _on_restored(target: Any, actor_id: int | None, **_: Any) -> None:
    audit.record(actor_id, "content_restored", target.key)


def _on_dismissed(target: Any, actor_id: int | None, reports_closed: int = 0, **_: Any) -> None:
    audit.record(actor_id, "report_dismissed", target.key, {"reports_closed": reports_closed})


def connect() -> None:
    """Connect the audit log and the author mails to the moderation signals (idempotent)."""
    from burgerbegroting.moderation import notify

    signals.content_hidden.connect(_on_hidden)
    signals.content_restored.connect(_on_restored)
    signals.report_dismissed.connect(_on_dismissed)
    notify.connect()
