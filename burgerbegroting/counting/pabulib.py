"""Reader and writer for Pabulib ``.pb`` files (pabulib.org).

A file has three sections, ``META``, ``PROJECTS`` and ``VOTES``; each is a ``;``-separated table
whose first row is a header.  Fields may be quoted (``"a ""b"" c"``).  Errors are reported as
:class:`PabulibError` with the 1-based line number and what was expected.
"""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from operator import itemgetter
from pathlib import Path

from ._gcpause import gc_paused
from .model import Ballot, BallotKind, Election, Project

__all__ = ["PabulibError", "read_pb", "write_pb"]

SECTIONS = ("META", "PROJECTS", "VOTES")
_KINDS = {k.value: k for k in BallotKind}


class PabulibError(ValueError):
    """A malformed Pabulib file: ``line`` (1-based, 0 if not about one line) and ``message``."""

    def __init__(self, line: int, message: str) -> None:
        self.line = line
        self.message = message
        super().__init__(f"line {line}: {message}" if line else message)


def _decimals(text: str) -> int:
    text = text.strip()
    if "e" in text.lower():
        return max(0, -Decimal(text).as_tuple().exponent)  # type: ignore[operator]
    return len(text.split(".", 1)[1]) if "." in text else 0


def _parse_amount(text: str, line: int, what: str) -> Decimal:
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise PabulibError(line, f"expected a number for {what}, got {text!r}") from None
    if not value.is_finite() or value < 0:
        raise PabulibError(line, f"expected a non-negative number for {what}, got {text!r}")
    return value


def _parse_int(text: str, line: int, what: str) -> int:
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise PabulibError(line, f"expected a whole number for {what}, got {text!r}") from None
    if not value.is_finite() or value != value.to_integral_value():
        raise PabulibError(line, f"expected a whole number for {what}, got {text!r}")
    return int(value)


def read_pb(source: str | Path) -> Election:
    """Read a Pabulib election from a path or from the text of a ``.pb`` file.

    A ``str`` that contains a newline is taken as the file's text, otherwise as a path.
    """
    if isinstance(source, Path) or ("\n" not in source and "\r" not in source):
        try:
            text = Path(source).read_text(encoding="utf-8-sig")
        except OSError as exc:
            raise PabulibError(0, f"cannot read {source}: {exc.strerror or exc}") from None
        except UnicodeDecodeError as exc:
            raise PabulibError(0, f"{source} is not UTF-8 text: {exc.reason}") from None
    else:
        text = source.lstrip("\ufeff")
    with gc_paused():
        return _parse(text)


_PLAIN_LIST = re.compile(r"[^\s,]+(?:,[^\s,]+)*").fullmatch


def _parse(text: str) -> Election:
    reader = csv.reader(io.StringIO(text), delimiter=";", quotechar='"', strict=True)
    section: str | None = None
    header: list[str] | None = None
    meta: list[tuple[str, str]] = []
    raw_projects: list[tuple[int, list[str]]] = []
    proj_header: list[str] = []
    raw_votes: list[tuple[int, list[str]]] = []
    vote_header: list[str] = []
    seen: set[str] = set()
    line = 0
    try:
        for row in reader:
            line = reader.line_num
            if not row or (not row[0].strip() and all(not c.strip() for c in row)):
                continue
            if len(row) == 1 and row[0].strip().upper() in SECTIONS:
                name = row[0].strip().upper()
                expected = SECTIONS[len(seen)] if len(seen) < 3 else None
                if name != expected:
                    raise PabulibError(line, f"expected section {expected}, found {name}")
                seen.add(name)
                section, header = name, None
                continue
            if section is None:
                raise PabulibError(line, "expected the section header META")
            if header is None:
                header = [c.strip() for c in row]
                if section == "PROJECTS":
                    proj_header = header
                elif section == "VOTES":
                    vote_header = header
                elif section == "META" and [h.lower() for h in header[:2]] != ["key", "value"]:
                    raise PabulibError(line, "expected the META header 'key;value'")
                continue
            if len(row) != len(header):
                raise PabulibError(
                    line, f"expected {len(header)} fields ({';'.join(header)}), found {len(row)}"
                )
            if section == "META":
                meta.append((row[0].strip(), row[1].strip()))
            elif section == "PROJECTS":
                raw_projects.append((line, row))
            else:
                raw_votes.append((line, row))
    except csv.Error as exc:
        raise PabulibError(
            reader.line_num or line, f"badly quoted field, a quote opened after line {line} is not closed ({exc})"
        ) from None
    for name in SECTIONS:
        if name not in seen:
            raise PabulibError(line, f"expected a {name} section, the file ended without one")
    return _build(meta, proj_header, raw_projects, vote_header, raw_votes)


def _col(header: list[str], name: str) -> int | None:
    try:
        return header.index(name)
    except ValueError:
        return None


def _build(
    meta: list[tuple[str, str]],
    proj_header: list[str],
    raw_projects: list[tuple[int, list[str]]],
    vote_header: list[str],
    raw_votes: list[tuple[int, list[str]]],
) -> Election:
    md = dict(meta)
    if "budget" not in md:
        raise PabulibError(0, "expected a 'budget' entry in META")
    budget_dec = _parse_amount(md["budget"], 0, "META budget")
    kind_text = md.get("vote_type", "approval").strip()
    if kind_text not in _KINDS:
        raise PabulibError(
            0, f"expected META vote_type to be one of {', '.join(_KINDS)}, got {kind_text!r}"
        )
    kind = _KINDS[kind_text]
    i_id, i_cost = _col(proj_header, "project_id"), _col(proj_header, "cost")
    if i_id is None or i_cost is None:
        raise PabulibError(0, "expected PROJECTS columns 'project_id' and 'cost'")
    decimals = _decimals(md["budget"])
    costs: list[Decimal] = []
    for line, row in raw_projects:
        costs.append(_parse_amount(row[i_cost], line, "the project cost"))
        decimals = max(decimals, _decimals(row[i_cost]))
    scale = 10**decimals
    i_name, i_cat = _col(proj_header, "name"), _col(proj_header, "category")
    if i_cat is None:
        i_cat = _col(proj_header, "categories")
    projects: list[Project] = []
    ids: set[str] = set()
    for (line, row), cost in zip(raw_projects, costs, strict=False):
        pid = row[i_id].strip()
        if not pid:
            raise PabulibError(line, "expected a project_id, found an empty field")
        if pid in ids:
            raise PabulibError(line, f"project_id {pid!r} appears twice")
        ids.add(pid)
        cats = tuple(c.strip() for c in row[i_cat].split(",") if c.strip()) if i_cat is not None else ()
        extra = tuple(
            (h, row[j]) for j, h in enumerate(proj_header) if j not in (i_id, i_cost, i_name, i_cat)
        )
        projects.append(
            Project(
                id=pid,
                cost=int(cost * scale),
                name=row[i_name] if i_name is not None else "",
                categories=cats,
                fields=extra,
            )
        )
    i_voter, i_vote = _col(vote_header, "voter_id"), _col(vote_header, "vote")
    if i_voter is None or i_vote is None:
        raise PabulibError(0, "expected VOTES columns 'voter_id' and 'vote'")
    i_points = _col(vote_header, "points")
    if kind is BallotKind.CUMULATIVE and i_points is None:
        raise PabulibError(0, "expected a 'points' column in VOTES for cumulative ballots")
    ballots: list[Ballot] = []
    extra_cols = [(j, h) for j, h in enumerate(vote_header) if j not in (i_voter, i_vote)]
    # the other columns of a vote (a cumulative ballot's points are kept as its points)
    cumulative = i_points is not None and kind is BallotKind.CUMULATIVE
    plain = [(j, h) for j, h in extra_cols if not (cumulative and j == i_points)]
    names = [h for _, h in plain]
    # (itemgetter of one index gives a value, not a 1-tuple: then a slice)
    first = plain[0][0] if plain else 0
    one = slice(first, first + len(plain))
    take = itemgetter(*[j for j, _ in plain]) if len(plain) > 1 else itemgetter(one)
    for line, row in raw_votes:
        cell = row[i_vote]
        items: tuple[str, ...]
        if not cell:
            items = ()
        elif _PLAIN_LIST(cell):  # the common case: "12,7,30" (no blanks, no empty items)
            items = tuple(cell.split(","))
        else:
            items = tuple(x.strip() for x in cell.split(",") if x.strip())
        if not ids.issuperset(items):
            bad = next(pid for pid in items if pid not in ids)
            raise PabulibError(line, f"vote for project {bad!r}, which is not in PROJECTS")
        if len(set(items)) != len(items):
            raise PabulibError(line, "a project appears twice in one vote")
        if kind is BallotKind.CHOOSE_1 and len(items) > 1:
            raise PabulibError(line, f"expected at most one project in a choose-1 vote, found {len(items)}")
        points: tuple[int, ...] | None = None
        if i_points is not None and kind is BallotKind.CUMULATIVE:
            pts = [x for x in row[i_points].split(",") if x.strip()]
            if len(pts) != len(items):
                raise PabulibError(line, f"expected {len(items)} points (one per project), found {len(pts)}")
            points = tuple(_parse_int(x, line, "points") for x in pts)
            if any(p < 0 for p in points):
                raise PabulibError(line, "expected non-negative points")
        extra = tuple(zip(names, take(row)))  # noqa: B905  (take gives one value per name)
        ballots.append(Ballot(row[i_voter].strip(), items, points, extra))  # (positional: faster)

    def opt_int(key: str) -> int | None:
        if key in md and md[key].strip():
            return _parse_int(md[key], 0, f"META {key}")
        return None

    threshold = None
    if md.get("min_project_score_threshold", "").strip():
        threshold = Fraction(_parse_amount(md["min_project_score_threshold"], 0, "META threshold"))
    return Election(
        projects=tuple(projects),
        budget=int(budget_dec * scale),
        ballots=tuple(ballots),
        kind=kind,
        decimals=decimals,
        min_length=opt_int("min_length"),
        max_length=opt_int("max_length"),
        max_sum_points=opt_int("max_sum_points"),
        min_points=opt_int("min_points"),
        max_points=opt_int("max_points"),
        threshold=threshold,
        meta=tuple(meta),
    )


def _amount(minor: int, decimals: int) -> str:
    if decimals == 0:
        return str(minor)
    return f"{Decimal(minor).scaleb(-decimals):.{decimals}f}"


def _same_amount(text: str | None, minor: int, decimals: int) -> bool:
    if text is None:
        return False
    try:
        return Decimal(text.strip()) * 10**decimals == minor
    except InvalidOperation:
        return False


def write_pb(election: Election) -> str:
    """The election as Pabulib text.  ``read_pb(write_pb(e)) == e`` for elections read from a
    file; for elections built in code the META keys budget, vote_type, num_projects and
    num_votes are filled in."""
    meta = dict(election.meta)
    if not _same_amount(meta.get("budget"), election.budget, election.decimals):
        meta["budget"] = _amount(election.budget, election.decimals)
    meta.setdefault("vote_type", election.kind.value)
    for key, count in (("num_projects", len(election.projects)), ("num_votes", len(election.ballots))):
        if key in meta:  # keep the counts right, but do not invent keys the election did not have
            meta[key] = str(count)
    for key, value in (
        ("min_length", election.min_length),
        ("max_length", election.max_length),
        ("max_sum_points", election.max_sum_points),
        ("min_points", election.min_points),
        ("max_points", election.max_points),
    ):
        if value is not None and key not in meta:
            meta[key] = str(value)
    if election.threshold is not None and "min_project_score_threshold" not in meta:
        t = election.threshold
        meta["min_project_score_threshold"] = str(t.numerator) if t.denominator == 1 else str(float(t))
    order = [k for k, _ in election.meta] + [k for k in meta if k not in dict(election.meta)]
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=";", quotechar='"', lineterminator="\n")
    buf.write("META\n")
    w.writerow(["key", "value"])
    for key in order:
        w.writerow([key, meta[key]])
    buf.write("PROJECTS\n")
    extra_p = _columns([p.fields for p in election.projects])
    has_name = any(p.name for p in election.projects)
    has_cat = any(p.categories for p in election.projects)
    w.writerow(["project_id", "cost"] + (["name"] if has_name else []) + (["category"] if has_cat else []) + extra_p)
    for p in election.projects:
        f = dict(p.fields)
        w.writerow(
            [p.id, _amount(p.cost, election.decimals)]
            + ([p.name] if has_name else [])
            + ([",".join(p.categories)] if has_cat else [])
            + [f.get(c, "") for c in extra_p]
        )
    buf.write("VOTES\n")
    extra_v = _columns([b.fields for b in election.ballots])
    cumulative = election.kind is BallotKind.CUMULATIVE
    w.writerow(["voter_id", "vote"] + (["points"] if cumulative else []) + extra_v)
    for b in election.ballots:
        f = dict(b.fields)
        row = [b.voter_id, ",".join(b.projects)]
        if cumulative:
            row.append(",".join(str(x) for x in (b.points or ())))
        w.writerow(row + [f.get(c, "") for c in extra_v])
    return buf.getvalue()


def _columns(field_lists: list[tuple[tuple[str, str], ...]]) -> list[str]:
    cols: list[str] = []
    for fields in field_lists:
        for k, _ in fields:
            if k not in cols:
                cols.append(k)
    return cols
