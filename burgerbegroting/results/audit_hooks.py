"""The audit log listens to the results signals (counts and implementation updates).
Publishing is audited as the phase change it is (processes' hooks)."""

from __future__ import annotations

from typing import Any

from burgerbegroting.core import audit, signals


def _on_tally_stored(sender: Any, actor_id: int | None = None, district_id: int | None = None,
                     tally_id: int | None = None, rule: str = "", input_sha256: str = "",
                     selected: list[str] | None = None, **_: Any) -> None:
    audit.record(actor_id, "tally_stored", f"round:{sender.id}",
                 {"district_id": district_id, "tally_id": tally_id, "rule": rule, "input_sha256": input_sha256,
                  "selected": list(selected or [])})


def _on_implementation_updated(sender: Any, actor_id: int | None = None, update_id: int | None = None,
                               status: str = "", actual_cost_cents: int | None = None,
                               planned_cost_cents: int | None = None, **_: Any) -> None:
    details: dict[str, Any] = {"update_id": update_id, "status": status}
    if actual_cost_cents is not None:
        details.update(actual_cost_cents=actual_cost_cents, planned_cost_cents=planned_cost_cents)
    audit.record(actor_id, "implementation_updated", f"proposal:{sender.id}", details)


def connect_signals() -> None:
    signals.tally_stored.connect(_on_tally_stored)
    signals.implementation_updated.connect(_on_implementation_updated)
