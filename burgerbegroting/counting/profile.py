"""Internal, numpy-friendly view of an election used by the rules."""

from __future__ import annotations

from itertools import chain
from typing import Any

import numpy as np

from ._gcpause import gc_paused
from .model import BallotKind, Election


class Profile:
    """Distinct ballots with multiplicities, and per-project supporter arrays.

    ``M[i, j]`` is the utility *unit* of distinct ballot ``i`` for project ``j`` (1 for an
    approval, the points for a cumulative ballot, ``max_length - position`` for an ordinal
    ballot); the utility used by equal shares is ``M[i, j] * kfac[j]`` where ``kfac`` is the cost
    for approval / choose-1 ballots (cost utilities) and 1 otherwise.
    """

    def __init__(self, election: Election) -> None:
        self.election = election
        projects = election.projects
        self.m = len(projects)
        self.ids = [p.id for p in projects]
        self.index = {pid: j for j, pid in enumerate(self.ids)}
        self.cost = [p.cost for p in projects]
        kind = election.kind
        self.cost_utility = kind in (BallotKind.APPROVAL, BallotKind.CHOOSE_1)
        length = election.ordinal_length()
        # count identical raw ballots first (cheap hashing of tuples), then normalise each
        # distinct ballot once; voters with the same (project, utility) set are one "type"
        raw: dict[Any, int] = {}
        if kind is BallotKind.CUMULATIVE:
            for b in election.ballots:
                pair = (b.projects, b.points)
                raw[pair] = raw.get(pair, 0) + 1
        else:
            for b in election.ballots:
                raw[b.projects] = raw.get(b.projects, 0) + 1
        index = self.index
        self.n_voters = len(election.ballots)
        if kind in (BallotKind.APPROVAL, BallotKind.CHOOSE_1):
            # utility unit 1 for every approved project: a type is its sorted project indices
            sets: dict[tuple[int, ...], int] = {}
            get = index.__getitem__
            for rk, mult in raw.items():
                js = tuple(sorted(map(get, rk)))
                sets[js] = sets.get(js, 0) + mult
            keys_j = list(sets)
            self.n_distinct = len(keys_j)
            self.weights = np.array(list(sets.values()), dtype=np.int64)
            self.M = np.zeros((self.n_distinct, self.m), dtype=np.int8)
            lens = np.fromiter(map(len, keys_j), dtype=np.int64, count=len(keys_j))
            cols_a = np.fromiter(chain.from_iterable(keys_j), dtype=np.int64, count=int(lens.sum()))
            if len(cols_a):
                self.M[np.repeat(np.arange(self.n_distinct), lens), cols_a] = 1
        else:
            groups: dict[tuple[tuple[int, int], ...], int] = {}
            for rk, mult in raw.items():
                items: tuple[tuple[int, int], ...]
                if kind is BallotKind.CUMULATIVE:
                    projs, pts = rk
                    items = tuple(sorted((index[p], int(x)) for p, x in zip(projs, pts or (), strict=False) if x > 0))
                else:
                    items = tuple(sorted((index[p], length - pos) for pos, p in enumerate(rk) if length - pos > 0))
                groups[items] = groups.get(items, 0) + mult
            keys = list(groups)
            self.n_distinct = len(keys)
            self.weights = np.array([groups[k] for k in keys], dtype=np.int64)
            maxu = max((u for k in keys for _, u in k), default=1)
            dtype = np.int8 if maxu < 127 else (np.int16 if maxu < 32767 else np.int64)
            self.M = np.zeros((self.n_distinct, self.m), dtype=dtype)
            rows: list[int] = []
            cols: list[int] = []
            vals: list[int] = []
            for i, k in enumerate(keys):
                for j, u in k:
                    rows.append(i)
                    cols.append(j)
                    vals.append(u)
            if rows:
                self.M[np.array(rows), np.array(cols)] = np.array(vals)
        self.kfac = [c if self.cost_utility else 1 for c in self.cost]
        self.sup: list[np.ndarray] = []
        self.units: list[np.ndarray] = []
        self.score: list[int] = []
        self.supporters: list[int] = []
        colsT = np.ascontiguousarray(self.M.T)
        for j in range(self.m):
            idx = np.flatnonzero(colsT[j])
            self.sup.append(idx)
            units = colsT[j, idx].astype(np.int64)
            self.units.append(units)
            w = self.weights[idx]
            self.score.append(int((w * units).sum()))
            self.supporters.append(int(w.sum()))

    @classmethod
    def of(cls, election: Election) -> Profile:
        """The profile of an election, built once and kept with the (immutable) election."""
        prof = election.__dict__.get("_counting_profile")
        if prof is None:
            with gc_paused():
                prof = cls(election)
            object.__setattr__(election, "_counting_profile", prof)
        return prof

    def disjoint_supporters(self) -> bool:
        """True when no ballot gives a positive utility to two projects (e.g. choose-1)."""
        return bool(((self.M > 0).sum(axis=1) <= 1).all())
