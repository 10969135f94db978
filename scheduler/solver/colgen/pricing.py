"""Pricing: one person's cheapest row under the master's duals, a resource-constrained shortest path.

The graph has a node per (day, shift) and a day-off node per day. Cells the person may not fill (leave,
skills, contract types, pins) are missing nodes; forbidden successions and too little rest between the real
shift times are missing edges. A label carries the resources the contract limits: the current runs of
working days, days off and nights (and whether the run started at the very first day, which the boundary
semantics exempt), worked minutes in total and in the current week, weekends worked, shifts per limited
type. Labels with equal resources at a node are merged (the cheaper survives); resources a contract does not
limit are not tracked, so they merge too.

Labels are plain tuples in dicts: we wrote the labeling ourselves because no maintained Python library
prices rosters with these boundary rules; a beam (the cheapest `beam` labels per day) bounds the work on
large contracts, and the caller is told whether the beam cut anything (then the result is a good column,
not a proven cheapest one, and the LP value is not a bound).
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from math import inf

from .model import OFF, ColgenModel, PersonModel

START = -2  # "before day 0" with no history: no run is open


@dataclass(frozen=True)
class Priced:
    cost: float  # node costs + overtime along the row (duals included, convexity dual not)
    row: tuple[int, ...]


class Pricer:
    """Prices one person; the graph's static parts are prepared once."""

    def __init__(self, model: ColgenModel, pm: PersonModel) -> None:
        self.model, self.pm = model, pm
        c = pm.person.contract
        self.n = len(pm.allowed)
        lengths, starts = model.lengths, model.starts
        banned = set(model.banned)
        if c.min_rest_minutes:
            for a in range(len(lengths)):
                for b in range(len(lengths)):
                    if starts[b] + 1440 - (starts[a] + lengths[a]) < c.min_rest_minutes:
                        banned.add((a, b))
        self.banned = banned
        self.max_cs = c.max_consecutive_shifts
        self.min_cs = c.min_consecutive_shifts or 0
        self.min_off = c.min_consecutive_days_off or 0
        self.max_nights = c.max_consecutive_nights
        self.cap_rw = max(self.max_cs or 0, self.min_cs, 1)
        self.cap_ro = max(self.min_off, 1)
        self.cap_rn = self.max_nights or 0
        overtime = bool(pm.person.overtime_premium and c.contract_minutes is not None)
        self.track_total = c.max_total_minutes is not None or bool(c.min_total_minutes) or overtime
        self.track_week = c.max_weekly_minutes is not None or bool(c.min_weekly_minutes)
        self.max_we = c.max_weekends
        self.caps = dict(pm.max_counts)
        self.cap_slot = {k: i for i, k in enumerate(sorted(self.caps))}
        self.remaining = [0] * (self.n + 1)  # most minutes workable from day d on (min total look-ahead)
        for d in range(self.n - 1, -1, -1):
            most = max((lengths[k] for k in pm.allowed[d] if k != OFF), default=0)
            self.remaining[d] = self.remaining[d + 1] + most
        self.start = self._initial_state()

    def _initial_state(self) -> tuple:
        history = self.pm.history
        counts = (0,) * len(self.caps)
        if not history:
            return (START, 0, 0, 0, False, False, 0, 0, 0, counts)
        last = history[-1]
        run = 0
        for k in reversed(history):
            if (k == OFF) != (last == OFF):
                break
            run += 1
        whole = run == len(history)
        nights = 0
        for k in reversed(history):
            if k == OFF or not self.model.nights[k]:
                break
            nights += 1
        rw = min(run, self.cap_rw) if last != OFF else 0
        ro = min(run, self.cap_ro) if last == OFF else 0
        rn = min(nights, self.cap_rn) if self.cap_rn else 0
        return (last, rw, ro, rn, whole, False, 0, 0, 0, counts)

    def price(
        self,
        node_cost: list[list[float]],
        weekend_cost: float,
        *,
        beam: int,
        count: int = 1,
        every_row: bool = False,
    ) -> tuple[list[Priced], bool]:
        """The `count` cheapest rows (by reduced cost without the convexity dual) and whether exact.

        With `every_row`, labels are never merged, so the result is every feasible row: a complete pool for
        a tiny problem. A day of more than `beam` labels ends it at once with nothing (not exact): going on
        under a beam cost 2.8 s of Instance18's minute for a pool nobody could use."""
        model, pm = self.model, self.pm
        c = pm.person.contract
        lengths, nights = model.lengths, model.nights
        banned, caps, cap_slot = self.banned, self.caps, self.cap_slot
        max_cs, min_cs, min_off, max_nights = self.max_cs, self.min_cs, self.min_off, self.max_nights
        cap_rw, cap_ro, cap_rn = self.cap_rw, self.cap_ro, self.cap_rn
        max_total, min_total = c.max_total_minutes, c.min_total_minutes or 0
        max_week, min_week = c.max_weekly_minutes, c.min_weekly_minutes or 0
        track_total, track_week, max_we = self.track_total, self.track_week, self.max_we
        track_we = max_we is not None or weekend_cost != 0.0
        weekend_of, week_of = model.weekend_of, model.week_of
        first_of_week = [d == 0 or week_of[d] != week_of[d - 1] for d in range(self.n)]
        first_of_weekend = [
            weekend_of[d] >= 0 and (d == 0 or weekend_of[d - 1] != weekend_of[d]) for d in range(self.n)
        ]
        week_check = [
            bool(min_week) and model.week_complete[week_of[d]] and model.week_last_day[week_of[d]] == d
            for d in range(self.n)
        ]
        no_history = not pm.history
        layers: list[dict] = []
        start = self.start + ((),) if every_row else self.start
        layer: dict = {start: (0.0, None, None)}
        exact = True
        for d in range(self.n):
            at_start = d == 0 and no_history
            costs = node_cost[d]
            options = pm.allowed[d]
            we = weekend_of[d]
            new_weekend = first_of_weekend[d]
            new_week = first_of_week[d]
            rem_next = self.remaining[d + 1]
            nxt: dict = {}
            for state, (value, _parent, _k) in layer.items():
                last, rw, ro, rn, s0, weflag, total, week, wends, counts = state[:10]
                if new_weekend or we < 0:
                    weflag = False
                if new_week:
                    week = 0
                for k in options:
                    if costs[k] == inf:  # a dive's fixed or forbidden cell: a missing node
                        continue
                    if k == OFF:
                        if last >= 0:  # a work run ends here
                            if min_cs and rw < min_cs and not s0:
                                continue
                            nro, ns0 = 1, at_start
                        elif last == OFF:
                            nro, ns0 = min(ro + 1, cap_ro), s0
                        else:
                            nro, ns0 = 1, True
                        if min_total and total + rem_next < min_total:
                            continue
                        if week_check[d] and week < min_week:
                            continue
                        key = (OFF, 0, nro, 0, ns0, weflag, total, week, wends, counts)
                        cost = value + costs[-1]
                    else:
                        if last >= 0:
                            if (last, k) in banned:
                                continue
                            nrw, ns0 = rw + 1, s0
                            if max_cs is not None and nrw > max_cs:
                                continue
                            nrw = min(nrw, cap_rw)
                        else:
                            if last == OFF and min_off and ro < min_off and not s0:
                                continue
                            nrw, ns0 = 1, at_start or last == START
                        if nights[k]:
                            nrn = rn + 1 if last >= 0 else 1
                            if max_nights is not None and nrn > max_nights:
                                continue
                            nrn = min(nrn, cap_rn) if cap_rn else 0
                        else:
                            nrn = 0
                        length = lengths[k]
                        ntotal = total
                        if track_total:
                            ntotal = total + length
                            if max_total is not None and ntotal > max_total:
                                continue
                            if min_total and ntotal + rem_next < min_total:
                                continue
                        nweek = week
                        if track_week:
                            nweek = week + length
                            if max_week is not None and nweek > max_week:
                                continue
                            if week_check[d] and nweek < min_week:
                                continue
                        cost = value + costs[k]
                        nwe, nwends = weflag, wends
                        if track_we and we >= 0 and not weflag:
                            nwe = True
                            cost += weekend_cost
                            if max_we is not None:
                                nwends = wends + 1
                                if nwends > max_we:
                                    continue
                        ncounts = counts
                        if k in caps:
                            slot = cap_slot[k]
                            if counts[slot] >= caps[k]:
                                continue
                            ncounts = counts[:slot] + (counts[slot] + 1,) + counts[slot + 1 :]
                        key = (k, nrw, 0, nrn, ns0, nwe, ntotal, nweek, nwends, ncounts)
                    if every_row:
                        key = (*key, (*state[10], k))
                    old = nxt.get(key)
                    if old is None or cost < old[0]:
                        nxt[key] = (cost, state, k)
            if len(nxt) > beam:
                if every_row:  # not every row fits: the caller wants all or nothing (a complete pool)
                    return [], False
                exact = False
                nxt = dict(heapq.nsmallest(beam, nxt.items(), key=lambda item: item[1][0]))
            layers.append(nxt)
            layer = nxt
        finals = []
        for state, (value, _parent, _k) in layer.items():
            if min_total and state[6] < min_total:
                continue
            finals.append((value + pm.overtime(state[6]) if track_total else value, state))
        best = heapq.nsmallest(count * 3, finals, key=lambda item: item[0])
        found, seen = [], set()
        for value, state in best:
            row = self._trace(layers, state)
            if row not in seen:
                seen.add(row)
                found.append(Priced(value, row))
            if len(found) >= count:
                break
        return found, exact

    @staticmethod
    def _trace(layers: list[dict], state: tuple) -> tuple[int, ...]:
        row = []
        for d in range(len(layers) - 1, -1, -1):
            _value, parent, k = layers[d][state]
            row.append(k)
            state = parent
        return tuple(reversed(row))
