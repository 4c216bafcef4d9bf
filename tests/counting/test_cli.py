"""The command line contract: JSON output, text table, --explain, exit code 2."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import pb_path

ROOT = Path(__file__).resolve().parents[2]


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run(
        [sys.executable, "-m", "burgerbegroting.counting", *args],
        capture_output=True, text=True, cwd=ROOT, env=env, timeout=120, check=False,
    )


def test_json_pabulib_rule_keeps_ids_and_order(reference: dict) -> None:
    r = cli(str(pb_path("Poland_Krakow_2023_Debniki.pb")), "--json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["rule"] == "greedy"
    assert set(data["selected"]) == set(reference["Poland_Krakow_2023_Debniki.pb"]["rules"]["pabulib_rule"]["selected"])
    assert data["selected"][0] == "BO.D8.19/23"  # highest score first, id as written
    assert data["total_cost"] == 2370100 and isinstance(data["total_cost"], int)


def test_json_equal_shares_add1() -> None:
    r = cli(str(pb_path("Netherlands_Assen_2024.pb")), "--rule", "equal-shares-add1", "--json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["rule"] == "equal-shares-add1"
    assert data["selected"] == ["3", "9", "2", "11", "13", "14", "5", "6", "12"]
    assert data["total_cost"] == 76700
    assert data["explanations"]["8"]["kind"] == "not_affordable"


def test_text_table_and_explain() -> None:
    r = cli(str(pb_path("Poland_Wroclaw_2023.pb")))
    assert r.returncode == 0
    assert "greedy-no-skip" in r.stdout and "SELECTED" in r.stdout and "stopped" in r.stdout
    r = cli(str(pb_path("Poland_Warszawa_2026.pb")), "--explain", "457")
    assert r.returncode == 0
    assert "below the threshold" in r.stdout and "3,000" in r.stdout


def test_unknown_rule_exits_2() -> None:
    r = cli(str(pb_path("Netherlands_Assen_2024.pb")), "--rule", "borda")
    assert r.returncode == 2
    assert "unknown rule 'borda'" in r.stderr and "Traceback" not in r.stderr


def test_file_with_unknown_meta_rule_exits_2() -> None:
    r = cli(str(pb_path("US_Stanford_Dataset_PB_Cambridge_2019_vote_approvals.pb")))
    assert r.returncode == 2 and "'unknown'" in r.stderr
    r = cli(str(pb_path("US_Stanford_Dataset_PB_Cambridge_2019_vote_approvals.pb")), "--rule", "greedy", "--json")
    assert r.returncode == 0 and json.loads(r.stdout)["total_cost"] == 950000


def test_explain_unknown_project_exits_2() -> None:
    r = cli(str(pb_path("Netherlands_Assen_2024.pb")), "--explain", "999")
    assert r.returncode == 2 and "'999'" in r.stderr


@pytest.mark.parametrize("content", ["META\nkey;value\nbudget;abc\nPROJECTS\n", "not a pabulib file\n"])
def test_bad_file_exits_2_with_line(tmp_path: Path, content: str) -> None:
    f = tmp_path / "bad.pb"
    f.write_text(content)
    r = cli(str(f))
    assert r.returncode == 2
    assert r.stderr.startswith("error:") and "Traceback" not in r.stderr


def test_missing_file_exits_2(tmp_path: Path) -> None:
    r = cli(str(tmp_path / "missing.pb"))
    assert r.returncode == 2 and "cannot read" in r.stderr


def test_counting_imports_neither_flask_nor_sqlalchemy() -> None:
    code = (
        "import sys, burgerbegroting.counting, burgerbegroting.counting.__main__; "
        "bad = [m for m in sys.modules if m.split('.')[0] in ('flask', 'sqlalchemy', 'pabutools')]; "
        "sys.exit(1 if bad else 0)"
    )
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT)),
                       capture_output=True, text=True, timeout=60, check=False)
    assert r.returncode == 0, r.stderr
