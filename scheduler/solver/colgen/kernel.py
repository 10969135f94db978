"""The pricing labeling compiled with numba: the same graph and resources as `pricing.Pricer`, but each
label's state is one integer (a mixed-radix code over the resources), and a hash table (open addressing)
from code to label merges equal labels; a day is one compiled sweep over its labels. Exact (no beam)
whenever the labels fit the buffers; `pricing.Pricer` (plain Python, beam) stays the fallback beyond, and
the reference the kernel is tested against.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from .model import OFF, ColgenModel, PersonModel
from .pricing import Priced, Pricer

TABLE = 1 << 20  # hash slots for one day's labels (at most half used); beyond: the Python pricer
LABELS = 3_000_000  # labels over all days of one sweep; beyond: the Python pricer
INF = np.inf
SCAN = 256  # kept labels of a state a new one is compared with, when several types are capped
FREE_TOTAL = 16  # the slot of `KernelPricer.limits` holding `_free_total` (-1: totals not merged)


@numba.njit(cache=True, nogil=True)
def _sweep(
    n,
    S,
    allowed,
    cost,
    weekend_cost,
    length_u,
    night,
    banned,
    limits,
    cap_of,
    slot_of,
    strides,
    dims,
    weekend_of,
    first_weekend,
    first_week,
    week_check,
    remaining_u,
    weekends_left,
    start_code,
    keys,
    vals,
    slots,
    codes,
    costs,
    parents,
    choices,
    begin,
):
    """Labels of day d live in [begin[d], begin[d + 1]) of the flat buffers; label 0 is the start. `keys`
    (open addressing, -1 empty, `slots` its labels) maps a state code to its label of the day being built,
    so equal states merge. Returns the number of labels, or -1 when the buffers are full."""
    (
        max_cs,
        min_cs,
        min_off,
        max_nights,
        cap_rw,
        cap_ro,
        cap_rn,
        max_total,
        min_total,
        max_week,
        min_week,
        max_we,
        track_total,
        track_week,
        track_we,
        no_history,
        free_total,
    ) = limits
    capacity = codes.shape[0]
    mask = keys.shape[0] - 1
    day_limit = keys.shape[0] // 2
    ncaps = dims.shape[0] - 9
    codes[0] = start_code
    costs[0] = 0.0
    parents[0] = -1
    begin[0] = 0
    begin[1] = 1
    top = 1
    counts = np.zeros(max(ncaps, 1), dtype=np.int64)
    min_len = 0  # the shortest worked shift, in units: bounds the shifts a remaining total allows
    for k in range(S):
        if length_u[k] > 0 and (min_len == 0 or length_u[k] < min_len):
            min_len = length_u[k]
    for d in range(n):
        at_start = d == 0 and no_history == 1
        we_day = weekend_of[d]
        for i in range(begin[d], begin[d + 1]):
            value = costs[i]
            rest = codes[i]
            last = rest // strides[0]
            rest -= last * strides[0]
            rw = rest // strides[1]
            rest -= rw * strides[1]
            ro = rest // strides[2]
            rest -= ro * strides[2]
            rn = rest // strides[3]
            rest -= rn * strides[3]
            s0 = rest // strides[4]
            rest -= s0 * strides[4]
            weflag = rest // strides[5]
            rest -= weflag * strides[5]
            total = rest // strides[6]
            rest -= total * strides[6]
            week = rest // strides[7]
            rest -= week * strides[7]
            wends = rest // strides[8]
            rest -= wends * strides[8]
            for j in range(ncaps):
                counts[j] = rest // strides[9 + j]
                rest -= counts[j] * strides[9 + j]
            if first_weekend[d] or we_day < 0:
                weflag = 0
            if first_week[d]:
                week = 0
            works_last = last < S
            for k in range(S + 1):
                if not allowed[d, k]:
                    continue
                if k == S:  # day off
                    if works_last:
                        if min_cs > 0 and rw < min_cs and s0 == 0:
                            continue
                        nro = 1
                        ns0 = 1 if at_start else 0
                    elif last == S:
                        nro = min(ro + 1, cap_ro)
                        ns0 = s0
                    else:
                        nro = 1
                        ns0 = 1
                    if min_total > 0 and total + remaining_u[d + 1] < min_total:
                        continue
                    if week_check[d] and week < min_week:
                        continue
                    ntotal = total
                    if free_total >= 0:
                        ntotal = max(total, free_total - remaining_u[d + 1])
                    new = (
                        S * strides[0]
                        + nro * strides[2]
                        + ns0 * strides[4]
                        + weflag * strides[5]
                        + ntotal * strides[6]
                        + week * strides[7]
                        + max(wends, max_we - weekends_left[d]) * strides[8]
                    )
                    left = _shifts_left(n, d, ntotal, max_total, track_total, min_len)
                    for j in range(ncaps):
                        new += max(counts[j], dims[9 + j] - 1 - left) * strides[9 + j]
                    c = value + cost[d, S]
                else:
                    if works_last:
                        if banned[last, k]:
                            continue
                        nrw = rw + 1
                        ns0 = s0
                        if max_cs >= 0 and nrw > max_cs:
                            continue
                        nrw = min(nrw, cap_rw)
                    else:
                        if last == S and min_off > 0 and ro < min_off and s0 == 0:
                            continue
                        nrw = 1
                        ns0 = 1 if (at_start or last == S + 1) else 0
                    if night[k]:
                        nrn = rn + 1 if works_last else 1
                        if max_nights >= 0 and nrn > max_nights:
                            continue
                        nrn = min(nrn, cap_rn) if cap_rn > 0 else 0
                    else:
                        nrn = 0
                    ntotal = total
                    if track_total:
                        ntotal = total + length_u[k]
                        if max_total >= 0 and ntotal > max_total:
                            continue
                        if min_total > 0 and ntotal + remaining_u[d + 1] < min_total:
                            continue
                        if ntotal >= dims[6]:
                            continue
                        if free_total >= 0:
                            ntotal = max(ntotal, free_total - remaining_u[d + 1])
                    nweek = week
                    if track_week:
                        nweek = week + length_u[k]
                        if max_week >= 0 and nweek > max_week:
                            continue
                        if week_check[d] and nweek < min_week:
                            continue
                        if nweek >= dims[7]:
                            continue
                    c = value + cost[d, k]
                    nwe = weflag
                    nwends = wends
                    if track_we and we_day >= 0 and weflag == 0:
                        nwe = 1
                        c += weekend_cost
                        if max_we >= 0:
                            nwends = wends + 1
                            if nwends > max_we:
                                continue
                    slot = slot_of[k]
                    if slot >= 0 and counts[slot] >= cap_of[k]:
                        continue
                    new = (
                        k * strides[0]
                        + nrw * strides[1]
                        + nrn * strides[3]
                        + ns0 * strides[4]
                        + nwe * strides[5]
                        + ntotal * strides[6]
                        + nweek * strides[7]
                        + max(nwends, max_we - weekends_left[d]) * strides[8]
                    )
                    left = _shifts_left(n, d, ntotal, max_total, track_total, min_len)
                    for j in range(ncaps):
                        count_j = counts[j] + (1 if j == slot else 0)
                        new += max(count_j, dims[9 + j] - 1 - left) * strides[9 + j]
                h = np.int64((np.uint64(new) * np.uint64(0x9E3779B97F4A7C15)) >> np.uint64(40)) & mask
                while keys[h] != -1 and keys[h] != new:
                    h = (h + 1) & mask
                if keys[h] == -1:
                    if top >= capacity or top - begin[d + 1] >= day_limit:
                        for t in range(begin[d + 1], top):
                            keys[slots[t]] = -1
                        return -1
                    keys[h] = new
                    vals[h] = top
                    slots[top] = h
                    codes[top] = new
                    costs[top] = c
                    parents[top] = i
                    choices[top] = k
                    top += 1
                    continue
                at = vals[h]
                if c < costs[at]:
                    costs[at] = c
                    parents[at] = i
                    choices[at] = k
        for t in range(begin[d + 1], top):
            keys[slots[t]] = -1
        if ncaps > 0 and top - begin[d + 1] > 1:
            top = _drop_dominated(begin[d + 1], top, ncaps, strides, dims, codes, costs, parents, choices)
        if free_total >= 0 and top - begin[d + 1] > 1:
            top = _drop_higher_totals(begin[d + 1], top, strides, dims, codes, costs, parents, choices)
        begin[d + 2] = top
    return top


def _free_total(end_cost: np.ndarray, max_total: int, min_total: int, track_total: bool) -> int:
    """The largest total (in units) up to which every final total costs nothing at the end and keeps the
    maximum, or -1. Below it a total only matters through its end cost (overtime): a label whose total
    plus the most it can still work stays within it can never pay overtime or break the maximum, so all
    such totals are one state (the sweep records max(total, free - most left), as for per-type counts).
    Not with a minimum total, which a raised total would seem to reach. The same conditions let a lower
    total dominate (`_drop_higher_totals`). On a medium-demo unit (25 people, four weeks, overtime past
    150 h, no maximum or minimum total) the two took a pricing at the master's duals from 51,658 labels
    to 13,847 (5.4 to 1.8 ms) and the LP's convergence from 5.3 to 2.5 s."""
    if not track_total or min_total > 0 or np.any(np.diff(end_cost) < 0):
        return -1
    paid = np.flatnonzero(end_cost > 0)
    free = int(paid[0]) - 1 if paid.size else len(end_cost) - 1
    if max_total >= 0:
        free = min(free, int(max_total))
    return free


@numba.njit(cache=True, nogil=True)
def _shifts_left(n, d, total, max_total, track_total, min_len):
    """At most how many shifts can follow day d: the days left, and what the maximum total leaves.

    A per-type count c with c + left <= cap can never break its cap, so every such count is the same
    state: the sweep records max(c, cap - left) (equivalent, and never blocking a shift the true count
    allows, since `left` falls by one at least with each shift worked). On Instance18 (a cap of 43 of 84
    days, 54 shifts at most) a count then takes at most 12 values instead of 44."""
    left = n - 1 - d
    if track_total == 1 and max_total >= 0 and min_len > 0:
        left = min(left, (max_total - total) // min_len)
    return max(left, 0)


@numba.njit(cache=True, nogil=True)
def _drop_higher_totals(lo, hi, strides, dims, codes, costs, parents, choices):
    """Removes from the labels [lo, hi) of one day those another label of the same state but the total
    dominates: a total no higher and a cost no higher. Only where the total has no minimum and costs
    only through an end cost that never falls as it rises (overtime: `free_total` set), so whatever
    extends the dominated label extends the other at no higher cost. Returns the new end."""
    s6 = strides[6]
    d6 = dims[6]
    n = hi - lo
    keys = np.empty(n, dtype=np.int64)
    for t in range(n):
        code = codes[lo + t]
        total = (code // s6) % d6
        # the same digits with the total moved to the lowest place: one state's labels sort together,
        # lowest total first
        keys[t] = (code // (s6 * d6)) * (s6 * d6) + (code % s6) * d6 + total
    order = np.argsort(keys)
    keep = np.empty(n, dtype=np.int64)
    kept = 0
    group = -1
    best = np.inf
    for t in range(n):
        i = lo + order[t]
        g = keys[order[t]] // d6
        c = costs[i]
        if g != group:
            group, best = g, np.inf
        if c >= best:
            continue
        best = c
        keep[kept] = i
        kept += 1
    return _keep_only(lo, keep[:kept], codes, costs, parents, choices)


@numba.njit(cache=True, nogil=True)
def _keep_only(lo, keep, codes, costs, parents, choices):
    """Moves the labels `keep` (indices into the buffers, in that order) to [lo, lo + len(keep)); returns
    the new end. They are gathered first: a label may sit where an earlier one is written."""
    kept_codes, kept_costs = codes[keep], costs[keep]
    kept_parents, kept_choices = parents[keep], choices[keep]
    end = lo + keep.shape[0]
    codes[lo:end] = kept_codes
    costs[lo:end] = kept_costs
    parents[lo:end] = kept_parents
    choices[lo:end] = kept_choices
    return end


@numba.njit(cache=True, nogil=True)
def _drop_dominated(lo, hi, ncaps, strides, dims, codes, costs, parents, choices):
    """Removes from the labels [lo, hi) of one day those another label of the same state but the per-type
    counts dominates: no count higher and a cost no higher. The counts are bounded above only (a maximum
    of shifts of a type), so whatever extends the dominated label extends the other at no higher cost.
    Without it (and the merge of counts that cannot bind) the counts multiplied the states: on Instance18
    (84 days, a cap of 43 on one type) a pricing at the master's duals made 404,161 labels against 39,694
    without the cap. Returns the new end.

    The labels are sorted by code; the counts are the lowest digits, so a label's dominators of the same
    state come before it. With one capped type a running minimum decides; with more, a label is compared
    with the last `SCAN` labels kept for its state only (one dominated by an earlier one is then kept:
    still exact, only more work)."""
    block = strides[8]  # the counts' digits: code // block is the rest of the state
    order = np.argsort(codes[lo:hi])
    n = hi - lo
    keep = np.empty(n, dtype=np.int64)
    keep_cost = np.empty(n)  # the kept labels' costs, which later labels are compared with
    counts = np.empty((n, ncaps), dtype=np.int64)
    kept = 0
    group_start = 0
    group = -1
    best = np.inf
    for t in range(n):
        i = lo + order[t]
        code = codes[i]
        c = costs[i]
        g = code // block
        if g != group:
            group, group_start, best = g, kept, np.inf
        if ncaps == 1:
            if c >= best:
                continue
            best = c
        else:
            rest = code % block
            for j in range(ncaps):
                counts[kept, j] = (rest // strides[9 + j]) % dims[9 + j]
            dominated = False
            for q in range(max(group_start, kept - SCAN), kept):
                if keep_cost[q] > c:
                    continue
                below = True
                for j in range(ncaps):
                    if counts[q, j] > counts[kept, j]:
                        below = False
                        break
                if below:
                    dominated = True
                    break
            if dominated:
                continue
        keep[kept] = i
        keep_cost[kept] = c
        kept += 1
    return _keep_only(lo, keep[:kept], codes, costs, parents, choices)


def kernel_ready() -> bool:
    """Whether the sweep is compiled in this process (the first call compiles or loads it from cache)."""
    return bool(_sweep.signatures)


class Workspace:
    """Buffers the sweeps of one thread share (one pricing at a time): the state table and the labels."""

    def __init__(self, labels: int = LABELS, table: int = TABLE) -> None:
        self.keys = np.full(table, -1, dtype=np.int64)
        self.vals = np.zeros(table, dtype=np.int32)
        self.slots = np.zeros(labels, dtype=np.int64)
        self.codes = np.zeros(labels, dtype=np.int64)
        self.costs = np.zeros(labels)
        self.parents = np.zeros(labels, dtype=np.int32)
        self.choices = np.zeros(labels, dtype=np.int8)


class KernelPricer:
    """Exact pricing of one person with the compiled sweep (same answers as `Pricer` without a beam)."""

    def __init__(self, model: ColgenModel, pm: PersonModel, workspace: Workspace | None = None) -> None:
        self.workspace = workspace or Workspace()
        self.ref = Pricer(model, pm)  # the resource limits, rest, history: one definition
        self.model, self.pm = model, pm
        ref, c = self.ref, pm.person.contract
        n, S = ref.n, len(model.lengths)
        self.n, self.S = n, S
        worked = sorted({model.lengths[k] for day in pm.allowed for k in day if k != OFF}) or [60]
        unit = math.gcd(*worked)
        for limit in (c.max_total_minutes, c.min_total_minutes, c.max_weekly_minutes, c.min_weekly_minutes):
            if limit:
                unit = math.gcd(unit, limit)
        self.unit = unit
        self.length_u = np.array(
            [length // unit if length % unit == 0 else 0 for length in model.lengths], dtype=np.int64
        )
        most_u = max(self.length_u.max(initial=0), 1)
        total_dim = 1
        if ref.track_total:
            total_dim = (
                c.max_total_minutes // unit if c.max_total_minutes is not None else ref.remaining[0] // unit
            ) + 1
        week_dim = 1
        if ref.track_week:
            week_dim = (c.max_weekly_minutes // unit if c.max_weekly_minutes is not None else 7 * most_u) + 1
        weekend_fair = any(f.measure == "weekends" and pm.index in f.members for f in model.fairness)
        track_we = int(ref.max_we is not None or weekend_fair)  # weekend duals come only from fairness rows
        self.base_dims = [
            S + 2,
            ref.cap_rw + 1,
            ref.cap_ro + 1,
            ref.cap_rn + 1,
            2,
            2 if track_we else 1,
            total_dim,
            week_dim,
            (ref.max_we + 1) if ref.max_we is not None else 1,
        ]
        self.active: frozenset[int] = frozenset()  # limited shift types tracked as resources so far
        self.layouts: dict[frozenset[int], tuple] = {}
        self.fits = True
        allowed = np.zeros((n, S + 1), dtype=np.bool_)
        for d, options in enumerate(pm.allowed):
            for k in options:
                allowed[d, S if k == OFF else k] = True
        self.allowed = allowed
        banned = np.zeros((S, S), dtype=np.bool_)
        for a, b in ref.banned:
            banned[a, b] = True
        self.banned = banned
        self.night = np.array(model.nights, dtype=np.bool_)
        week_of = model.week_of
        self.weekend_of = np.array(model.weekend_of, dtype=np.int64)
        self.first_weekend = np.array(
            [
                model.weekend_of[d] >= 0 and (d == 0 or model.weekend_of[d - 1] != model.weekend_of[d])
                for d in range(n)
            ],
            dtype=np.bool_,
        )
        self.first_week = np.array([d == 0 or week_of[d] != week_of[d - 1] for d in range(n)], dtype=np.bool_)
        self.week_check = np.array(
            [
                bool(c.min_weekly_minutes)
                and model.week_complete[week_of[d]]
                and model.week_last_day[week_of[d]] == d
                for d in range(n)
            ],
            dtype=np.bool_,
        )
        self.remaining_u = np.array([r // unit for r in ref.remaining], dtype=np.int64)
        # weekends with a day after day d: worked weekends w with w + left <= max are one state (the
        # sweep records max(w, max - left), as it does for per-type counts)
        self.weekends_left = np.zeros(n, dtype=np.int64)
        seen: set[int] = set()
        for d in range(n - 1, 0, -1):  # from the end: one pass, not a set of the rest per day
            if model.weekend_of[d] >= 0:
                seen.add(model.weekend_of[d])
            self.weekends_left[d - 1] = len(seen)
        up = lambda v: -1 if v is None else int(v)  # noqa: E731
        self.limits = np.array(
            [
                up(ref.max_cs),
                ref.min_cs,
                ref.min_off,
                up(ref.max_nights),
                ref.cap_rw,
                ref.cap_ro,
                ref.cap_rn,
                up(None if c.max_total_minutes is None else c.max_total_minutes // unit),
                math.ceil((c.min_total_minutes or 0) / unit),
                up(None if c.max_weekly_minutes is None else c.max_weekly_minutes // unit),
                math.ceil((c.min_weekly_minutes or 0) / unit),
                up(ref.max_we),
                int(ref.track_total),
                int(ref.track_week),
                track_we,
                int(not pm.history),
                -1,  # FREE_TOTAL, set below
            ],
            dtype=np.int64,
        )
        totals = np.arange(total_dim) * unit
        self.end_cost = np.array([pm.overtime(int(m)) for m in totals]) if ref.track_total else np.zeros(1)
        self.limits[FREE_TOTAL] = _free_total(self.end_cost, self.limits[7], self.limits[8], ref.track_total)

    def _layout(self, active: frozenset[int]) -> tuple:
        """State code layout with the per-type counts of `active` types as the low digits."""
        if active not in self.layouts:
            S, caps = self.S, sorted(active)
            dims = np.array(self.base_dims + [self.pm.max_counts[k] + 1 for k in caps], dtype=np.int64)
            strides = np.ones(len(dims), dtype=np.int64)
            for j in range(len(dims) - 2, -1, -1):
                strides[j] = strides[j + 1] * dims[j + 1]
            if float(np.prod(dims.astype(np.float64))) >= 2.0**62:
                return None  # state codes are int64
            cap_of = np.full(S, -1, dtype=np.int64)
            slot_of = np.full(S, -1, dtype=np.int64)
            for slot, k in enumerate(caps):
                cap_of[k], slot_of[k] = self.pm.max_counts[k], slot
            last, rw, ro, rn, s0, _weflag, _total, _week, _wends, _counts = self.ref.start
            start_last = S + 1 if last == -2 else (S if last == OFF else last)
            start = int(
                sum(
                    int(v) * int(st)
                    for v, st in zip([start_last, rw, ro, rn, int(s0)], strides[:5], strict=True)
                )
            )
            self.layouts[active] = (dims, strides, cap_of, slot_of, start)
        return self.layouts[active]

    def price(
        self, node_cost, weekend_cost: float, *, beam: int = 2000, count: int = 1, every_row: bool = False
    ) -> tuple[list[Priced], bool]:
        """Per-type limits are resources only once a cheapest row broke them (then priced again): most
        duals never want that many shifts of one type, and each tracked limit multiplies the states."""
        if every_row or (weekend_cost and not self.base_dims[5] > 1):  # weekend not tracked: the plain one
            return self.ref.price(node_cost, weekend_cost, beam=beam, count=count, every_row=every_row)
        n, S = self.n, self.S
        cost = np.empty((n, S + 1))
        for d, day in enumerate(node_cost):
            cost[d, :S] = day[:S]
            cost[d, S] = day[-1]
        while True:
            layout = self._layout(self.active)
            if layout is None:
                return self.ref.price(node_cost, weekend_cost, beam=beam, count=count)
            found = self._sweep(cost, weekend_cost, layout, count)
            if found is None:
                return self.ref.price(node_cost, weekend_cost, beam=beam, count=count)
            if not found:
                return [], True
            broken = self._broken(found[0].row)
            if not broken:
                return [f for f in found if not self._broken(f.row)][:count], True
            self.active = self.active | broken

    def _broken(self, row: tuple[int, ...]) -> frozenset[int]:
        caps = self.pm.max_counts
        return frozenset(k for k, cap in caps.items() if sum(1 for x in row if x == k) > cap)

    def _sweep(self, cost: np.ndarray, weekend_cost: float, layout: tuple, count: int) -> list | None:
        n, S = self.n, self.S
        dims, strides, cap_of, slot_of, start_code = layout
        ws = self.workspace
        begin = np.zeros(n + 2, dtype=np.int64)
        # a node priced at infinity (a dive's fixes and forbids) is a missing node: no label is made for it
        allowed = self.allowed & np.isfinite(cost)
        top = _sweep(
            n,
            S,
            allowed,
            cost,
            float(weekend_cost),
            self.length_u,
            self.night,
            self.banned,
            self.limits,
            cap_of,
            slot_of,
            strides,
            dims,
            self.weekend_of,
            self.first_weekend,
            self.first_week,
            self.week_check,
            self.remaining_u,
            self.weekends_left,
            start_code,
            ws.keys,
            ws.vals,
            ws.slots,
            ws.codes,
            ws.costs,
            ws.parents,
            ws.choices,
            begin,
        )
        if top < 0:
            return None
        labels = np.arange(begin[n], begin[n + 1])
        final = ws.costs[labels].copy()
        if self.ref.track_total:
            total_index = (ws.codes[labels] // strides[6]) % dims[6]
            final += self.end_cost[total_index]
            if self.limits[8] > 0:
                final[total_index < self.limits[8]] = INF
        finite = np.flatnonzero(np.isfinite(final))
        if finite.size == 0:
            return []
        order = finite[np.argsort(final[finite], kind="stable")[: count + 2]]
        found = []
        for j in order:
            row = []
            label = int(labels[j])
            for _d in range(n):
                k = int(ws.choices[label])
                row.append(OFF if k == S else k)
                label = int(ws.parents[label])
            found.append(Priced(float(final[j]), tuple(reversed(row))))
        return found
