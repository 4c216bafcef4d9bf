"""The phase schedule of a round: which phase is current, and which schedules are valid."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from burgerbegroting.processes.phases import (
    ORDER,
    SCHEDULABLE,
    Phase,
    ScheduleError,
    Window,
    current_phase,
    validate_schedule,
    voting_has_started,
)

UTC = dt.UTC
T0 = dt.datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
DAY = dt.timedelta(days=1)
SECOND = dt.timedelta(seconds=1)


def schedule() -> list[Window]:
    """ideas [0,10) review [10,20) voting [20,27) counting [27,28) results [28,60)"""
    return [
        Window(Phase.IDEAS, T0, T0 + 10 * DAY),
        Window(Phase.REVIEW, T0 + 10 * DAY, T0 + 20 * DAY),
        Window(Phase.VOTING, T0 + 20 * DAY, T0 + 27 * DAY),
        Window(Phase.COUNTING, T0 + 27 * DAY, T0 + 28 * DAY),
        Window(Phase.RESULTS, T0 + 28 * DAY, T0 + 60 * DAY),
    ]


def test_order_of_phases() -> None:
    assert ORDER[0] == Phase.DRAFT
    assert ORDER[-1] == Phase.CLOSED
    assert list(SCHEDULABLE) == [Phase.IDEAS, Phase.REVIEW, Phase.VOTING, Phase.COUNTING,
                                 Phase.RESULTS, Phase.IMPLEMENTATION]


# current_phase ---------------------------------------------------------------------------

def test_no_schedule_is_a_draft() -> None:
    assert current_phase([], T0) == Phase.DRAFT


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (T0 - DAY, Phase.DRAFT),
        (T0 - SECOND, Phase.DRAFT),
        (T0, Phase.IDEAS),  # a phase starts exactly at its start
        (T0 + 5 * DAY, Phase.IDEAS),
        (T0 + 10 * DAY - SECOND, Phase.IDEAS),
        (T0 + 10 * DAY, Phase.REVIEW),  # an end is exclusive: the next phase has begun
        (T0 + 20 * DAY, Phase.VOTING),
        (T0 + 27 * DAY - SECOND, Phase.VOTING),
        (T0 + 27 * DAY, Phase.COUNTING),
        (T0 + 28 * DAY, Phase.RESULTS),
        (T0 + 60 * DAY - SECOND, Phase.RESULTS),
        (T0 + 60 * DAY, Phase.CLOSED),  # exactly at the last end
        (T0 + 600 * DAY, Phase.CLOSED),
    ],
)
def test_current_phase(now: dt.datetime, expected: Phase) -> None:
    assert current_phase(schedule(), now) == expected


def test_current_phase_does_not_depend_on_the_order_of_the_windows() -> None:
    shuffled = list(reversed(schedule()))
    for offset in (-1, 0, 5, 15, 25, 27, 40, 70):
        now = T0 + offset * DAY
        assert current_phase(shuffled, now) == current_phase(schedule(), now)


def test_current_phase_in_another_time_zone_is_the_same_instant() -> None:
    amsterdam = ZoneInfo("Europe/Amsterdam")
    start_local = T0.astimezone(amsterdam)  # 10:00 in Amsterdam
    assert current_phase(schedule(), start_local) == Phase.IDEAS
    assert current_phase(schedule(), start_local - SECOND) == Phase.DRAFT


def test_a_gap_between_phases_keeps_the_earlier_phase() -> None:
    windows = [
        Window(Phase.IDEAS, T0, T0 + DAY),
        Window(Phase.VOTING, T0 + 5 * DAY, T0 + 6 * DAY),
    ]
    assert current_phase(windows, T0 + 2 * DAY) == Phase.IDEAS
    assert current_phase(windows, T0 + 5 * DAY) == Phase.VOTING
    assert current_phase(windows, T0 + 6 * DAY) == Phase.CLOSED


def test_current_phase_refuses_a_naive_now() -> None:
    with pytest.raises(ValueError):
        current_phase(schedule(), dt.datetime(2027, 3, 5, 12, 0))


def test_voting_has_started() -> None:
    assert voting_has_started(schedule(), T0 + 20 * DAY - SECOND) is False
    assert voting_has_started(schedule(), T0 + 20 * DAY) is True
    assert voting_has_started(schedule(), T0 + 100 * DAY) is True
    assert voting_has_started([Window(Phase.IDEAS, T0, T0 + DAY)], T0 + 50 * DAY) is False


# validate_schedule -----------------------------------------------------------------------

def test_a_good_schedule_passes() -> None:
    validate_schedule(schedule())
    validate_schedule([])
    validate_schedule([Window(Phase.VOTING, T0, T0 + SECOND)])


def test_phases_may_touch() -> None:
    validate_schedule([Window(Phase.IDEAS, T0, T0 + DAY), Window(Phase.REVIEW, T0 + DAY, T0 + 2 * DAY)])


def problems(windows: list[Window]) -> dict[Phase, str]:
    with pytest.raises(ScheduleError) as info:
        validate_schedule(windows)
    assert isinstance(info.value, ValueError)
    return info.value.problems


def test_end_before_start() -> None:
    assert problems([Window(Phase.IDEAS, T0, T0 - SECOND)]) == {Phase.IDEAS: "ends_before_start"}


def test_end_equal_to_start_is_an_empty_phase() -> None:
    assert problems([Window(Phase.IDEAS, T0, T0)]) == {Phase.IDEAS: "ends_before_start"}


def test_overlap_is_reported_on_the_later_phase() -> None:
    windows = [Window(Phase.IDEAS, T0, T0 + 2 * DAY), Window(Phase.REVIEW, T0 + DAY, T0 + 3 * DAY)]
    assert problems(windows) == {Phase.REVIEW: "overlaps_previous"}


def test_overlap_by_one_second() -> None:
    windows = [Window(Phase.IDEAS, T0, T0 + DAY), Window(Phase.REVIEW, T0 + DAY - SECOND, T0 + 3 * DAY)]
    assert problems(windows) == {Phase.REVIEW: "overlaps_previous"}


def test_phases_in_the_wrong_order_are_refused() -> None:
    # Voting scheduled before the ideas phase.
    windows = [Window(Phase.IDEAS, T0 + 10 * DAY, T0 + 20 * DAY), Window(Phase.VOTING, T0, T0 + 5 * DAY)]
    assert problems(windows) == {Phase.VOTING: "overlaps_previous"}


def test_order_is_checked_across_skipped_phases() -> None:
    windows = [
        Window(Phase.IDEAS, T0, T0 + DAY),
        Window(Phase.RESULTS, T0 + 2 * DAY, T0 + 3 * DAY),
        Window(Phase.VOTING, T0 + 4 * DAY, T0 + 5 * DAY),  # after results: wrong
    ]
    assert problems(windows) == {Phase.RESULTS: "overlaps_previous"}


def test_naive_datetimes_are_refused() -> None:
    naive = dt.datetime(2027, 3, 1, 9, 0)
    assert problems([Window(Phase.IDEAS, naive, naive + DAY)]) == {Phase.IDEAS: "naive datetime"}
    assert problems([Window(Phase.IDEAS, T0, naive + DAY)]) == {Phase.IDEAS: "naive datetime"}


def test_a_phase_twice_is_refused() -> None:
    windows = [Window(Phase.IDEAS, T0, T0 + DAY), Window(Phase.IDEAS, T0 + 2 * DAY, T0 + 3 * DAY)]
    assert "duplicate_phase" in problems(windows).values()


def test_every_problem_is_reported_at_once() -> None:
    windows = [
        Window(Phase.IDEAS, T0, T0 - DAY),
        Window(Phase.REVIEW, T0 + DAY, T0 + 5 * DAY),
        Window(Phase.VOTING, T0 + 4 * DAY, T0 + 6 * DAY),
    ]
    found = problems(windows)
    assert found == {Phase.IDEAS: "ends_before_start", Phase.VOTING: "overlaps_previous"}
    message = str(ScheduleError(found))
    assert "ideas" in message and "voting" in message
