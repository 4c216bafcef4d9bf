"""Demo rounds for Gemeente Voorbeeldland: settings for the two base rounds and extra rounds
so that there is a round in every public phase. Idempotent: safe to run twice."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from burgerbegroting.extensions import db
from burgerbegroting.processes.models import District, Round, RoundPhase
from burgerbegroting.processes.phases import Phase

DAY = dt.timedelta(days=1)

# Settings for the rounds burgerbegroting.demo.seed() creates. Only applied while the
# round's voting has not started (the rule lock; the database refuses it too).
BASE_SETTINGS = {
    "wijkbudgetten-2027": {"ballot_type": "knapsack", "counting_rule": "equal-shares-add1", "min_choices": 1,
                               "max_choices": None, "eligibility": "postcode", "min_age": 16, "min_supporters": 10,
                               "four_eyes": True},
    "burgerbegroting-2026": {"ballot_type": "approval", "counting_rule": "greedy", "min_choices": 1, "max_choices": 5,
                                 "eligibility": "postcode", "min_age": 16, "min_supporters": 0},
}


def _schedule(now: dt.datetime, voting_in_days: int) -> list[tuple[Phase, dt.datetime, dt.datetime]]:
    v = now + voting_in_days * DAY
    return [
        (Phase.IDEAS, v - 60 * DAY, v - 30 * DAY),
        (Phase.REVIEW, v - 30 * DAY, v),
        (Phase.VOTING, v, v + 14 * DAY),
        (Phase.COUNTING, v + 14 * DAY, v + 16 * DAY),
        (Phase.RESULTS, v + 16 * DAY, v + 120 * DAY),
    ]


EXTRA_ROUNDS = [
    # (slug, name, description, voting starts in days, settings, districts)
    ("dorpsbudgetten-noord-2027", "Dorpsbudgetten Noord 2027",
     "De dorpen in het noorden kiezen samen waar hun budget naartoe gaat. De ideeën worden nu getoetst.",
     10, {"ballot_type": "approval", "counting_rule": "equal-shares", "max_choices": 5, "min_supporters": 5,
              "eligibility": "postcode", "min_age": 12},
     [("Aldeburen", "dorp", 40_000, "9901"), ("Eikendaal", "dorp", 35_000, "9904"),
      ("Lindenhorst", "dorp", 30_000, "9907"), ("Ruigeweide", "dorp", 25_000, "9911")]),
    ("stadsdeelbudget-zuid-2026", "Stadsdeelbudget Zuid 2026",
     "Stem nu op de plannen voor Nieuw-Zuid, Kerkbuurt en Stationsbuurt. Kies plannen die samen in het budget passen.",
     -3, {"ballot_type": "knapsack", "counting_rule": "equal-shares-add1", "eligibility": "register", "min_age": 16},
     [("Nieuw-Zuid", "wijk", 140_000, "9909"), ("Kerkbuurt", "wijk", 90_000, "9906"),
      ("Stationsbuurt", "wijk", 110_000, "9912")]),
    ("initiatievenpotje-2026", "Initiatievenpotje 2026",
     "Kleine initiatieven van bewoners, tot € 5.000. Een bewonerspanel beslist.",
     -2, {"decision": "panel", "ballot_type": "approval", "counting_rule": "greedy", "eligibility": "account",
              "comments_enabled": True},
     [("Heel Voorbeeldland", "gemeente", 25_000, "9901-9914")]),
    ("kernenbudget-2025", "Kernenbudget 2025",
     "De uitslag is bekend: bekijk welke plannen in De Hoeve, Molenbroek en Veldhuizen worden uitgevoerd.",
     -40, {"ballot_type": "cumulative", "points_total": 10, "counting_rule": "equal-shares", "eligibility": "postcode",
               "min_age": 16},
     [("De Hoeve", "kern", 55_000, "9903"), ("Molenbroek", "kern", 60_000, "9908"),
      ("Veldhuizen", "kern", 45_000, "9913")]),
    # Rounds in voting for the other ballot types, so every ballot can be tried in the demo
    # (voting codes for them are listed in the README).
    ("buurtbudget-oosterveld-2026", "Buurtbudget Oosterveld 2026",
     "Kies maximaal 3 plannen voor Oosterveld.",
     -1, {"ballot_type": "approval", "counting_rule": "equal-shares-add1", "min_choices": 1, "max_choices": 3,
          "eligibility": "postcode", "min_age": 16},
     [("Oosterveld", "wijk", 100_000, "9910")]),
    ("jongerenbudget-havenkwartier-2026", "Jongerenbudget Havenkwartier 2026",
     "Verdeel 10 punten over de plannen die u het belangrijkst vindt.",
     -1, {"ballot_type": "cumulative", "points_total": 10, "counting_rule": "equal-shares", "min_choices": 1,
          "eligibility": "postcode", "min_age": 12},
     [("Havenkwartier", "wijk", 60_000, "9905")]),
    ("dorpsbudget-westerpolder-2026", "Dorpsbudget Westerpolder 2026",
     "Zet maximaal 3 plannen op volgorde: 1 is uw favoriet.",
     -1, {"ballot_type": "ranking", "counting_rule": "equal-shares", "min_choices": 1, "max_choices": 3,
          "eligibility": "postcode", "min_age": 16},
     [("Westerpolder", "dorp", 30_000, "9914")]),
]


def seed_demo(now: dt.datetime) -> list[Round]:
    """Configure the base demo rounds and add the extra ones (flushes; the caller commits)."""
    now = now.replace(minute=0, second=0, microsecond=0)
    rounds: list[Round] = []
    for slug, settings in BASE_SETTINGS.items():
        round_ = db.session.scalars(sa.select(Round).where(Round.slug == slug)).first()
        if round_ is None:
            continue
        if not round_.rule_locked():  # the real clock, as the database's rule lock uses
            for key, value in settings.items():
                setattr(round_, key, value)
        else:  # only what the rule lock allows
            for key in ("eligibility", "min_age", "min_supporters", "four_eyes"):
                if key in settings:
                    setattr(round_, key, settings[key])
        rounds.append(round_)
    for slug, name, description, voting_in, settings, districts in EXTRA_ROUNDS:
        round_ = db.session.scalars(sa.select(Round).where(Round.slug == slug)).first()
        if round_ is None:
            round_ = Round(slug=slug, name=name, description=description, **settings)
            for phase, start, end in _schedule(now, voting_in):
                round_.phases.append(RoundPhase(phase=phase.value, starts_at=start, ends_at=end))
            for dname, kind, euros, postcodes in districts:
                round_.districts.append(District(name=dname, kind=kind, budget_cents=euros * 100,
                                                 postcodes=postcodes))
            db.session.add(round_)
        rounds.append(round_)
    db.session.flush()
    return rounds
