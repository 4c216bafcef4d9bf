"""The audit log listens to the voting signals of staff actions.

Never a code, never choices, and nothing per cast ballot: ``ballot_cast`` is not audited.
"""

from __future__ import annotations

from typing import Any

from burgerbegroting.core import audit, signals


def _on_codes_generated(sender: Any, actor_id: int | None = None, district_id: int | None = None,
                        count: int = 0, batch_no: int = 0, **_: Any) -> None:
    audit.record(actor_id, "voting_codes_generated", f"round:{sender.id}",
                 {"district_id": district_id, "count": count, "batch_no": batch_no})


def _on_code_reissued(sender: Any, actor_id: int | None = None, new_id: int | None = None, **_: Any) -> None:
    audit.record(actor_id, "voting_code_reissued", f"round:{sender.round_id}",
                 {"district_id": sender.district_id, "old_code_id": sender.id, "new_code_id": new_id})


def _on_paper_entered(sender: Any, actor_id: int | None = None, district_id: int | None = None,
                      outcome: str = "", **_: Any) -> None:
    audit.record(actor_id, "paper_ballot_entered", f"round:{sender.id}",
                 {"district_id": district_id, "outcome": outcome})


def connect_signals() -> None:
    """Idempotent: blinker keeps one connection per receiver."""
    signals.codes_generated.connect(_on_codes_generated)
    signals.code_reissued.connect(_on_code_reissued)
    signals.paper_entered.connect(_on_paper_entered)
