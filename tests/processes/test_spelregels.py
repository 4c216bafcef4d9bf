"""The spelregels text follows the configuration (pure builder, English msgids)."""

import datetime as dt
from dataclasses import replace

from burgerbegroting.processes.spelregels import Language, RulesInput, build


def _gettext(msgid, **variables):
    return msgid % variables if variables else msgid


def _ngettext(singular, plural, num, **variables):
    return (singular if num == 1 else plural) % {"num": num, **variables}


LANG = Language(gettext=_gettext, ngettext=_ngettext, datetime=lambda d: d.strftime("%Y-%m-%d %H:%M"))
T0 = dt.datetime(2027, 3, 1, 8, 0, tzinfo=dt.UTC)
BASE = RulesInput(
    name="Test", contact_email="bb@example.org", district_count=3,
    phases=[("voting", T0 + dt.timedelta(days=40), T0 + dt.timedelta(days=50)),
            ("ideas", T0, T0 + dt.timedelta(days=20)),
            ("review", T0 + dt.timedelta(days=20), T0 + dt.timedelta(days=40))],
)


def text(rules):
    return "\n".join(p for s in build(rules, LANG) for p in s.paragraphs + s.items)


def keys(rules):
    return [s.key for s in build(rules, LANG)]


def test_phases_are_listed_in_order_with_dates():
    sections = build(BASE, LANG)
    assert sections[0].items == ["ideas: from 2027-03-01 08:00 to 2027-03-21 08:00",
                                 "review: from 2027-03-21 08:00 to 2027-04-10 08:00",
                                 "voting: from 2027-04-10 08:00 to 2027-04-20 08:00"]
    assert "You can vote from 2027-04-10 08:00 to 2027-04-20 08:00." in text(BASE)
    assert "The dates of this round have not been set yet." in text(replace(BASE, phases=[]))


def test_max_choices_in_words():
    assert "Choose at most" not in text(BASE)
    assert "Choose at most 5 plans." in text(replace(BASE, max_choices=5))
    assert "Choose at most 1 plan." in text(replace(BASE, max_choices=1))
    assert "Choose at least 2 plans." in text(replace(BASE, min_choices=2, max_choices=4))
    assert "Choose exactly 3 plans." in text(replace(BASE, min_choices=3, max_choices=3))


def test_ballot_types():
    assert "Tick the plans you want." in text(BASE)
    assert "no more than the budget" in text(replace(BASE, ballot_type="knapsack"))
    assert "You have 10 points." in text(replace(BASE, ballot_type="cumulative", points_total=10))
    assert "Your favourite plan comes first." in text(replace(BASE, ballot_type="ranking"))
    assert "your vote is final" in text(BASE)


def test_counting_rule_and_tie_break():
    es = text(replace(BASE, counting_rule="equal-shares"))
    assert "Method of Equal Shares" in es
    assert "first the cheapest plan, then the plan with the most votes, then the plan with the lowest number" in es
    assert "slightly larger share" not in es
    assert "slightly larger share" in text(replace(BASE, counting_rule="equal-shares-add1"))
    assert "'most votes first'" in text(replace(BASE, counting_rule="equal-shares-add1-comparison"))
    greedy = text(replace(BASE, counting_rule="greedy"))
    assert "The plan with the most votes gets money first." in greedy
    assert "is skipped" in greedy
    assert "first the cheapest plan, then the plan with the lowest number" in greedy
    assert "Method of Equal Shares" not in greedy
    no_skip = text(replace(BASE, counting_rule="greedy-no-skip"))
    assert "the counting stops" in no_skip and "is skipped" not in no_skip
    assert "minimum number of votes" in text(replace(BASE, counting_rule="greedy-threshold"))
    assert "counted per district" in text(BASE)
    assert "counted per district" not in text(replace(BASE, district_count=1))


def test_eligibility_and_age():
    assert "postcode" in text(BASE) and "voting code" in text(BASE)
    assert "list of voters" in text(replace(BASE, eligibility="register"))
    account = text(replace(BASE, eligibility="account"))
    assert "You vote with your account" in account and "voting code" not in account
    assert "There is no minimum age." in text(BASE)
    assert "You must be 16 years or older" in text(replace(BASE, min_age=16))


def test_supporters_and_four_eyes_and_comments():
    assert "supporters" not in text(BASE)
    assert "at least 25 supporters" in text(replace(BASE, min_supporters=25))
    assert "Two civil servants check each plan." in text(replace(BASE, four_eyes=True))
    assert "Two civil servants" not in text(BASE)
    assert "You may react to plans" in text(BASE)
    assert "you cannot react" in text(replace(BASE, comments_enabled=False))
    assert "no new plans can be sent in" in text(replace(BASE, phases=[]))


def test_panel_decides_instead_of_a_vote():
    panel = replace(BASE, decision="panel")
    assert "who_votes" not in keys(panel) and "counting" not in keys(panel)
    assert "A panel decides which plans get money." in text(panel)
    assert "The residents decide with their votes" in text(BASE)


def test_objection_contact():
    assert "Contact us first: bb@example.org." in text(BASE)
    assert "bezwaar maken" in text(BASE)
