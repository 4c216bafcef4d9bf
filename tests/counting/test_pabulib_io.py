"""Pabulib reader and writer: real quirks, round trips, and errors with line numbers."""

from __future__ import annotations

import pytest

from burgerbegroting.counting import BallotKind, PabulibError, read_pb, write_pb

from .conftest import pb_files, pb_path

GOOD = '''META
key;value
description;"A ""quoted"" description; with a semicolon"
budget;1000.5
vote_type;cumulative
PROJECTS
project_id;cost;name;category;selected
A-1;400.25;"Park ""Noord""";green,safety;1
b/2;600;Bench;;0
VOTES
voter_id;vote;points;age
v1;A-1,b/2;3,2;40
v2;b/2;5;
'''


def test_reads_quirks() -> None:
    e = read_pb(GOOD)
    assert e.kind is BallotKind.CUMULATIVE
    assert e.decimals == 2 and e.budget == 100050
    assert [p.id for p in e.projects] == ["A-1", "b/2"]
    assert e.projects[0].cost == 40025 and e.projects[0].name == 'Park "Noord"'
    assert e.projects[0].categories == ("green", "safety")
    assert e.projects[0].field("selected") == "1"
    assert e.meta_dict()["description"] == 'A "quoted" description; with a semicolon'
    assert e.ballots[0].points == (3, 2) and e.ballots[0].fields == (("age", "40"),)
    assert read_pb(write_pb(e)) == e


@pytest.mark.parametrize("name", pb_files())
def test_round_trip_real_files(name: str) -> None:
    e = read_pb(pb_path(name))
    assert read_pb(write_pb(e)) == e


def test_ordinal_votes_keep_order() -> None:
    e = read_pb(pb_path("Poland_Krakow_2023_Debniki.pb"))
    assert e.kind is BallotKind.ORDINAL
    assert e.ballots[0].projects == ("BO.D8.3/23", "BO.D8.48/23", "BO.D8.21/23")


def broken(replace: str, by: str) -> str:
    assert replace in GOOD
    return GOOD.replace(replace, by)


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        (broken("400.25", "lots"), 8, "expected a number for the project cost"),
        (broken("v2;b/2;5;", "v2;zz;5;"), 13, "not in PROJECTS"),
        (broken("v1;A-1,b/2;3,2;40", "v1;A-1,b/2;3;40"), 12, "expected 2 points"),
        (broken("b/2;600;Bench;;0", "b/2;600;Bench;0"), 9, "expected 5 fields"),
        (broken("b/2;600;Bench;;0", "A-1;600;Bench;;0"), 9, "appears twice"),
        (broken("v2;b/2;5;", 'v2;"b/2;5;'), 13, "quoted"),
        (broken("PROJECTS\n", "VOTES\n"), 6, "expected section PROJECTS"),
        (broken("v1;A-1,b/2;3,2;40", "v1;A-1,b/2;3,x;40"), 12, "whole number"),
        ("hello\n", 1, "expected the section header META"),
    ],
)
def test_errors_have_line_numbers(text: str, line: int, words: str) -> None:
    with pytest.raises(PabulibError) as info:
        read_pb(text)
    assert info.value.line == line
    assert words in info.value.message
    assert f"line {line}" in str(info.value)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (broken("budget;1000.5\n", ""), "'budget'"),
        (broken("vote_type;cumulative", "vote_type;secret"), "vote_type"),
        (GOOD.split("VOTES")[0], "VOTES section"),
        (broken("voter_id;vote;points;age", "voter;vote;points;age"), "voter_id"),
    ],
)
def test_errors_about_the_whole_file(text: str, words: str) -> None:
    with pytest.raises(PabulibError, match=words):
        read_pb(text)


def test_missing_file_is_a_pabulib_error(tmp_path) -> None:
    with pytest.raises(PabulibError, match="cannot read"):
        read_pb(tmp_path / "nope.pb")
