"""The rules of the game (spelregels) of a round, in plain language, from its configuration.

Pure: give it the round's settings and a ``Language`` (translation and date functions) and it
returns sections of text. The page shows exactly these; the tests change a setting and check
that the text changes with it, so what residents read is what the software does.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from burgerbegroting.processes.phases import ORDER, Phase


@dataclass(frozen=True)
class Language:
    """How to say things: ``gettext(msgid, **variables)``, ``ngettext(singular, plural, n,
    **variables)`` and ``datetime(value)`` (shown in Europe/Amsterdam)."""

    gettext: Callable[..., str]
    ngettext: Callable[..., str]
    datetime: Callable[[dt.datetime], str]
    phase_label: Callable[[str], str] = str


@dataclass(frozen=True)
class RulesInput:
    name: str
    decision: str = "vote"
    ballot_type: str = "approval"
    counting_rule: str = "equal-shares-add1"
    min_choices: int = 1
    max_choices: int | None = None
    points_total: int | None = None
    eligibility: str = "postcode"
    min_age: int | None = None
    min_supporters: int = 0
    four_eyes: bool = False
    comments_enabled: bool = True
    phases: Sequence[tuple[str, dt.datetime, dt.datetime]] = ()
    district_count: int = 1
    contact_email: str = ""

    @classmethod
    def of(cls, round_: Any, contact_email: str = "") -> RulesInput:
        names = ("name", "decision", "ballot_type", "counting_rule", "min_choices", "max_choices", "points_total",
                 "eligibility", "min_age", "min_supporters", "four_eyes", "comments_enabled")
        return cls(**{n: getattr(round_, n) for n in names},
                   phases=[(p.phase, p.starts_at, p.ends_at) for p in round_.phases],
                   district_count=len(round_.districts), contact_email=contact_email)


@dataclass
class Section:
    key: str
    title: str
    paragraphs: list[str] = field(default_factory=list)
    items: list[str] = field(default_factory=list)


def _window(rules: RulesInput, phase: Phase) -> tuple[dt.datetime, dt.datetime] | None:
    for code, start, end in rules.phases:
        if code == phase.value:
            return start, end
    return None


def build(rules: RulesInput, lang: Language) -> list[Section]:
    """The spelregels of ``rules`` as sections, in the language of ``lang``."""
    _ = lang.gettext
    ngettext = lang.ngettext
    sections: list[Section] = []

    # 1. Phases and dates.
    timeline = Section("phases", _("Phases and dates"))
    ordered = sorted(rules.phases, key=lambda p: ORDER.index(Phase(p[0])))
    if not ordered:
        timeline.paragraphs.append(_("The dates of this round have not been set yet."))
    for code, start, end in ordered:
        timeline.items.append(_("%(phase)s: from %(start)s to %(end)s",
                                phase=lang.phase_label(code), start=lang.datetime(start), end=lang.datetime(end)))
    sections.append(timeline)

    # 2. Who may propose.
    propose = Section("propose", _("Who may send in a plan"))
    ideas = _window(rules, Phase.IDEAS)
    if ideas:
        propose.paragraphs.append(_(
            "Everyone with an account on this website may send in a plan. You can do this from %(start)s "
            "to %(end)s. You can change your plan until the check starts.",
            start=lang.datetime(ideas[0]), end=lang.datetime(ideas[1])))
        if rules.comments_enabled:
            propose.paragraphs.append(_("You may react to plans of others. Be kind: moderators hide messages "
                                        "that break the house rules."))
        else:
            propose.paragraphs.append(_("In this round you cannot react to plans."))
    else:
        propose.paragraphs.append(_("In this round no new plans can be sent in."))
    sections.append(propose)

    # 3. What makes a plan feasible.
    feasible = Section("feasible", _("When can a plan go on"))
    if rules.min_supporters > 0:
        feasible.paragraphs.append(ngettext(
            "A plan needs at least %(num)d supporter before the phase for ideas ends. "
            "A plan with fewer supporters does not go on.",
            "A plan needs at least %(num)d supporters before the phase for ideas ends. "
            "A plan with fewer supporters does not go on.",
            rules.min_supporters))
    feasible.paragraphs.append(_(
        "Civil servants of the municipality check every plan. Is it allowed? Can the municipality carry it "
        "out? What does it cost? Does it fit in the budget? If a plan is not feasible, they write down why. "
        "Everyone can read that reason."))
    if rules.four_eyes:
        feasible.paragraphs.append(_("Two civil servants check each plan. Both must agree."))
    if rules.decision == "panel":
        feasible.paragraphs.append(_("Feasible plans go to the panel."))
    else:
        feasible.paragraphs.append(_("Feasible plans are on the ballot."))
    sections.append(feasible)

    if rules.decision == "panel":
        panel = Section("decide", _("Who decides"))
        panel.paragraphs.append(_(
            "In this round residents do not vote. A panel decides which plans get money. The municipality "
            "writes down the decision of the panel and the reasons, and publishes them on this website."))
        panel.paragraphs.append(_("The municipal council has made the money for this round available. "
                                  "The municipality carries out the chosen plans."))
        sections.append(panel)
    else:
        sections.extend(_voting_sections(rules, lang))

    # Objections.
    objection = Section("objection", _("Do you disagree?"))
    objection.paragraphs.append(_(
        "Do you disagree with a decision, for example about your plan? Contact us first: %(email)s.",
        email=rules.contact_email))
    objection.paragraphs.append(_(
        "You can also make a complaint (klacht) to the municipality. Against some decisions you can object "
        "(bezwaar maken). The message about the decision tells you if you can object, how, and before which date."))
    sections.append(objection)
    return sections


def _voting_sections(rules: RulesInput, lang: Language) -> list[Section]:
    _ = lang.gettext
    ngettext = lang.ngettext
    out: list[Section] = []

    who = Section("who_votes", _("Who may vote, and how"))
    if rules.eligibility == "postcode":
        who.paragraphs.append(_("You may vote if you live in this round's area. We check this with your "
                                "postcode. You get a letter with a voting code. With that code you vote on this "
                                "website. You do not need an account."))
    elif rules.eligibility == "register":
        who.paragraphs.append(_("You may vote if you are on the list of voters of the municipality. You get a "
                                "letter with a voting code. With that code you vote on this website. You do not "
                                "need an account."))
    else:
        who.paragraphs.append(_("You vote with your account on this website. You declare that you live in the "
                                "area of this round. Make sure this is true: the municipality can check it."))
    if rules.min_age:
        who.paragraphs.append(_("You must be %(age)d years or older on the first day of voting.", age=rules.min_age))
    else:
        who.paragraphs.append(_("There is no minimum age."))
    voting = _window(rules, Phase.VOTING)
    if voting:
        who.paragraphs.append(_("You can vote from %(start)s to %(end)s.",
                                start=lang.datetime(voting[0]), end=lang.datetime(voting[1])))
    if rules.district_count > 1:
        who.paragraphs.append(_("You vote for the plans in your own district."))
    out.append(who)

    ballot = Section("ballot", _("How you vote"))
    if rules.ballot_type == "approval":
        ballot.paragraphs.append(_("Tick the plans you want."))
    elif rules.ballot_type == "knapsack":
        ballot.paragraphs.append(_("Choose the plans you want. Together they may cost no more than the budget "
                                   "of your district. The website adds up the costs for you."))
    elif rules.ballot_type == "cumulative":
        ballot.paragraphs.append(ngettext(
            "You have %(num)d point. Give it to the plan you like best.",
            "You have %(num)d points. Divide them over the plans you like. You may give more points to one plan.",
            rules.points_total or 0))
    else:
        ballot.paragraphs.append(_("Put the plans in order. Your favourite plan comes first."))
    if rules.max_choices is not None and rules.min_choices > 1 and rules.min_choices == rules.max_choices:
        ballot.paragraphs.append(ngettext("Choose exactly %(num)d plan.", "Choose exactly %(num)d plans.",
                                          rules.max_choices))
    else:
        if rules.min_choices > 1:
            ballot.paragraphs.append(ngettext("Choose at least %(num)d plan.", "Choose at least %(num)d plans.",
                                              rules.min_choices))
        if rules.max_choices is not None:
            ballot.paragraphs.append(ngettext("Choose at most %(num)d plan.", "Choose at most %(num)d plans.",
                                              rules.max_choices))
    ballot.paragraphs.append(_("When you have voted, your vote is final. You cannot change it afterwards."))
    out.append(ballot)

    counting = Section("counting", _("How the votes are counted"))
    rule = rules.counting_rule
    if rule.startswith("greedy"):
        counting.paragraphs.append(_("The plan with the most votes gets money first. Then the plan with the "
                                     "next most votes, and so on, until the money is used up."))
        if rule == "greedy-no-skip":
            counting.paragraphs.append(_("As soon as a plan no longer fits in the money that is left, the "
                                         "counting stops."))
        else:
            counting.paragraphs.append(_("A plan that no longer fits in the money that is left is skipped. "
                                         "The next plan is tried."))
        if rule == "greedy-threshold":
            counting.paragraphs.append(_("A plan also needs a minimum number of votes. The municipality "
                                         "publishes this number before voting starts."))
        counting.paragraphs.append(_("If plans have the same number of votes: first the cheapest plan, then "
                                     "the plan with the lowest number."))
    else:
        counting.paragraphs.append(_(
            "This round uses the Method of Equal Shares. The budget is divided equally over everyone who votes. "
            "A plan is paid from the shares of the people who voted for it. The plan that costs its voters the "
            "least per person goes first. This way, every group of voters gets a fair part of the budget, not "
            "only the largest group."))
        if rule in ("equal-shares-add1", "equal-shares-add1-comparison"):
            counting.paragraphs.append(_("If money is left over, the count is done again with a slightly larger "
                                         "share per voter, as long as the chosen plans still fit in the budget."))
        if rule == "equal-shares-add1-comparison":
            counting.paragraphs.append(_("Then the result is compared with the result of 'most votes first'. "
                                         "The result that most voters prefer is used."))
        counting.paragraphs.append(_("If plans are equal: first the cheapest plan, then the plan with the most "
                                     "votes, then the plan with the lowest number."))
    if rules.district_count > 1:
        counting.paragraphs.append(_("Every district has its own budget. The votes are counted per district."))
    out.append(counting)

    decide = Section("decide", _("Who decides"))
    decide.paragraphs.append(_("The residents decide with their votes which plans get money. The municipal "
                               "council has made the money available and set these rules. The municipality "
                               "carries out the chosen plans and reports on this website how they are doing."))
    out.append(decide)
    return out
