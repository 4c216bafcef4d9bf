"""The audit log listens to the round signals (operations do not call it themselves)."""

from __future__ import annotations

from typing import Any

from burgerbegroting.core import audit, signals


def _target(round_: Any) -> str:
    return f"round:{round_.id}"


def _on_round_created(sender: Any, actor_id: int | None = None, settings: dict[str, Any] | None = None,
                      **_: Any) -> None:
    audit.record(actor_id, "round_created", _target(sender), settings or {})


def _on_round_updated(sender: Any, actor_id: int | None = None, changes: dict[str, Any] | None = None,
                      **_: Any) -> None:
    audit.record(actor_id, "round_updated", _target(sender), changes or {})


def _on_districts_imported(sender: Any, actor_id: int | None = None, **payload: Any) -> None:
    audit.record(actor_id, "districts_imported", _target(sender), payload)


def _on_phase_changed(sender: Any, actor_id: int | None = None, **payload: Any) -> None:
    audit.record(actor_id, "phase_changed", _target(sender), payload)


def _on_panel_decision_recorded(sender: Any, actor_id: int | None = None, **payload: Any) -> None:
    audit.record(actor_id, "panel_decision_recorded", _target(sender), payload)


def connect_signals() -> None:
    """Idempotent: blinker keeps one connection per receiver."""
    signals.round_created.connect(_on_round_created)
    signals.round_updated.connect(_on_round_updated)
    signals.districts_imported.connect(_on_districts_imported)
    signals.phase_changed.connect(_on_phase_changed)
    signals.panel_decision_recorded.connect(_on_panel_decision_recorded)
