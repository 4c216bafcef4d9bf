"""Fixtures for the counter tests: the shared Pabulib folder and its reference outcomes."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "counting", derandomize=True, deadline=None, max_examples=400,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("counting")


def pabulib_dir() -> Path:
    """../shared/pabulib relative to the repository root, or $PABULIB_DIR."""
    env = os.environ.get("PABULIB_DIR")
    return Path(env) if env else Path(__file__).resolve().parents[2].parent / "shared" / "pabulib"


PABULIB = pabulib_dir()


def pb_files() -> list[str]:
    # CI always has the folder: a missing folder must fail, so return a marker that fails
    if not PABULIB.is_dir():
        return ["<missing pabulib folder>"]
    return sorted(p.name for p in PABULIB.glob("*.pb"))


@pytest.fixture(scope="session")
def reference() -> dict:
    path = PABULIB / "reference_outcomes.json"
    assert path.is_file(), f"reference outcomes missing: {path} (set PABULIB_DIR)"
    return json.loads(path.read_text(encoding="utf-8"))["files"]


def pb_path(name: str) -> Path:
    path = PABULIB / name
    assert PABULIB.is_dir(), f"Pabulib folder missing: {PABULIB} (set PABULIB_DIR)"
    assert path.is_file(), f"missing {path}"
    return path
