"""A strong first roster, one person at a time, by dynamic programming (numpy), no solver.

For each person (in order), against the cover the people before them already give:
1. the work pattern: a DP over days whose state is (consecutive-days automaton state, weekends used, "this
   weekend counted", worked minutes in units of the gcd of shift lengths). It enforces exactly the benchmark's
   max/min consecutive shifts, min consecutive days off (boundary semantics), max weekends, days off and the
   min/max total minutes, and maximises the cover and request value of the days worked. Past
   `PRICE_MINUTES_ABOVE` states (a year) the minutes dimension is dropped and the total priced instead
   (`_priced_pattern`);
2. the shift types along that pattern: a DP over (day, shift) respecting forbidden successions and rest,
   per-type maxima priced by bisection and repaired to the cap (`_capped_types`). The
   result is checked with the person's hard rules; with history, the automaton starts in the state the history
   days leave it in and the first day honours the successions from the last one. A person the DP cannot
   serve (weekly limits, per-type maxima, pins, ...) is reported back as None so the caller can fall back to
   the CP-SAT search.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from collections.abc import Sequence

import numba
import numpy as np

from .context import roster_check
from .domain import Person, Problem

NEG = -1e30
# rounds of pricing the per-type maxima (bisection on each over-used type's price, see `_capped_types`)
TYPE_PRICE_ROUNDS = 30
# past this many states (days x automaton x weekends x minutes units) the pattern's total minutes are priced
# (`_priced_pattern`) rather than counted: a year of Instance24 has 147 M, four weeks of it 0.2 M
PRICE_MINUTES_ABOVE = 2_000_000
PRICE_ROUNDS = 40
LANDED_ROUNDS = 8  # rounds of bisection after the first price within the totals
TIE_BREAK = 0.01  # values are cover and request weights, whole numbers


@numba.njit(cache=True)
def _pattern_kernel(
    n, num_states, max_we, max_units, start, arcs, opt_len, opt_val, weekend, first_we, off_mask
):
    """The work-pattern DP over (automaton state, weekends used, minutes units), compiled: the numpy version
    made ~17k small-array calls per person and 28 days (45 ms); this loops in machine code (~1 ms).
    Returns the last layer and, per day, the arc/option code each state was reached by (arc * 64 + option)."""
    dp = np.full((num_states, max_we + 1, max_units + 1), NEG, dtype=np.float32)
    dp[start, 0, 0] = 0.0
    choices = np.full((n, num_states, max_we + 1, max_units + 1), -1, dtype=np.int32)
    for d in range(n):
        new = np.full((num_states, max_we + 1, max_units + 1), NEG, dtype=np.float32)
        choice = choices[d]
        for index in range(arcs.shape[0]):
            a, label, b = arcs[index, 0], arcs[index, 1], arcs[index, 2]
            if label == 0:
                for w in range(max_we + 1):
                    for u in range(max_units + 1):
                        v = dp[a, w, u]
                        if v > new[b, w, u]:
                            new[b, w, u] = v
                            choice[b, w, u] = index * 64
                continue
            counts = 1 if weekend[d] and (first_we[d] or off_mask[a]) else 0
            for k in range(opt_len.shape[1]):
                length = opt_len[d, k]
                if length < 0 or length > max_units:
                    continue
                value = opt_val[d, k]
                for w in range(max_we + 1 - counts):
                    for u in range(max_units + 1 - length):
                        src = dp[a, w, u]
                        if src <= NEG / 2:
                            continue
                        v = src + value
                        if v > new[b, w + counts, u + length]:
                            new[b, w + counts, u + length] = v
                            choice[b, w + counts, u + length] = index * 64 + 1 + k
        dp = new
    return dp, choices


def _automaton(max_work: int, min_work: int, min_off: int):
    """Consecutive-days automaton (label 1 works, 0 off) with the benchmark's boundary semantics."""
    start, initial_off = 0, 1
    first_run = {k: 1 + k for k in range(1, max_work + 1)}  # a run touching day 0: exempt from the minimum
    run = {k: 1 + max_work + k for k in range(1, max_work + 1)}
    rest = {k: 1 + 2 * max_work + k for k in range(1, min_off + 1)}
    arcs = [
        (start, 0, initial_off),
        (start, 1, first_run[1]),
        (initial_off, 0, initial_off),
        (initial_off, 1, run[1]),
    ]
    for k in range(1, max_work + 1):
        if k < max_work:
            arcs += [(first_run[k], 1, first_run[k + 1]), (run[k], 1, run[k + 1])]
        arcs.append((first_run[k], 0, rest[1]))
        if k >= min_work:
            arcs.append((run[k], 0, rest[1]))
    for k in range(1, min_off + 1):
        arcs.append((rest[k], 0, rest[min(k + 1, min_off)]))
        if k >= min_off:
            arcs.append((rest[k], 1, run[1]))
    off_states = {start, initial_off, *rest.values()}
    return start, arcs, 2 + 2 * max_work + min_off, off_states


@functools.lru_cache(maxsize=64)
def _weekends(start: dt.date, num_days: int) -> list[tuple[int, ...]]:
    return Problem(start_date=start, num_days=num_days, shift_types=(), staff=()).weekends()


def supports(person: Person) -> bool:
    """Whether the programme enforces every rule of the person's contract (weekly limits and consecutive
    nights it does not)."""
    c = person.contract
    return not (c.max_weekly_minutes or c.min_weekly_minutes or c.max_consecutive_nights)


def _after_history(start: int, arcs, history: Sequence[str | None], max_work: int) -> int:
    """The automaton state after the history days (the run touching the history's start is the exempt one,
    as in the sequence rules). A history that breaks a minimum itself restarts the count."""
    step = {(a, label): b for a, label, b in arcs}
    state = start
    for shift in history:
        label = int(shift is not None)
        nxt = step.get((state, label))
        if nxt is None:
            at_max = state in (1 + max_work, 1 + 2 * max_work)  # a run already at the maximum
            nxt = state if label and at_max else (2 + max_work if label else 2 + 2 * max_work)
        state = nxt
    return state


def person_row(
    problem: Problem, person: Person, allowed: Sequence[Sequence[str]], gain: dict[tuple[int, str], float]
) -> tuple[str | None, ...] | None:
    """Best row for `person` (None if outside what the DP handles or nothing fits).

    `allowed[d]`: shift ids the cell rules allow; `gain[(d, s)]`: value of working s on day d (vs. off)."""
    c = person.contract
    n = problem.num_days
    if not supports(person):
        return None
    history = problem.history.get(person.id, ())
    shifts = {s.id: s for s in problem.shift_types}
    lengths = sorted({shifts[s].length_minutes for day in allowed for s in day})
    if not lengths:
        return None if c.min_total_minutes else (None,) * n
    unit = math.gcd(*lengths)
    most = sum(max((shifts[s].length_minutes for s in day), default=0) for day in allowed) // unit
    max_units = most if c.max_total_minutes is None else min(most, c.max_total_minutes // unit)
    min_units = math.ceil((c.min_total_minutes or 0) / unit)
    if min_units > max_units:
        return None
    max_work = min(c.max_consecutive_shifts or n, n)
    start, arcs, num_states, off_states = _automaton(
        max_work, max(c.min_consecutive_shifts or 1, 1), max(c.min_consecutive_days_off or 1, 1)
    )
    start = _after_history(start, arcs, history, max_work)
    weekends = _weekends(problem.start_date, n)
    max_we = min(c.max_weekends if c.max_weekends is not None else len(weekends), len(weekends))
    weekend_days = {d for days in weekends for d in days}
    first_weekend_day = {days[0] for days in weekends}
    options = []  # per day: [(length units, gain, shift)] best shift per length
    for d in range(n):
        best: dict[int, tuple[float, str]] = {}
        for sid in allowed[d]:
            length = shifts[sid].length_minutes // unit
            value = gain.get((d, sid), 0.0)
            if length not in best or value > best[length][0]:
                best[length] = (value, sid)
        options.append([(length, value, sid) for length, (value, sid) in sorted(best.items())])
    width = max((len(o) for o in options), default=0)
    opt_len = np.full((n, max(width, 1)), -1, dtype=np.int64)
    opt_val = np.zeros((n, max(width, 1)), dtype=np.float32)
    for d, day_options in enumerate(options):
        for k, (length, value, _sid) in enumerate(day_options):
            opt_len[d, k], opt_val[d, k] = length, value
    arc_array = np.array(arcs, dtype=np.int64).reshape(-1, 3)
    weekend = np.array([d in weekend_days for d in range(n)], dtype=np.bool_)
    first_we = np.array([d in first_weekend_day for d in range(n)], dtype=np.bool_)
    off_mask = np.array([q in off_states for q in range(num_states)], dtype=np.bool_)
    kernel = (n, num_states, max_we, start, arc_array, weekend, first_we, off_mask)
    trace = _Trace(arcs, options, weekend_days, first_weekend_day, off_states)
    pattern = None
    if n * num_states * (max_we + 1) * (max_units + 1) > PRICE_MINUTES_ABOVE:
        pattern = _priced_pattern(kernel, trace, opt_len, opt_val, min_units, max_units)
    if pattern is None:
        dp, choices = _pattern_kernel(
            n, num_states, max_we, max_units, start, arc_array, opt_len, opt_val, weekend, first_we, off_mask
        )
        final = dp[:, :, min_units:]
        if final.max() <= NEG / 2:
            return None
        q, w, u = (int(i) for i in np.unravel_index(int(np.argmax(final)), final.shape))
        pattern = trace.pattern(choices, q, w, u + min_units)
    caps = {sid: cap for sid, cap in c.max_shifts_per_type.items() if 0 < cap < n}
    return _capped_types(problem, person, pattern, allowed, gain, unit, caps)


@numba.njit(cache=True)
def _types_kernel(pattern, fits, value, banned, first):
    """The shift types along a work pattern: a DP over (day, shift). `fits[d, s]`: shift s may fill day d's
    pattern (always False on a day off), `value[d, s]` its value, `banned[a, b]`: b may not follow a,
    `first`: the shift worked the day before day 0 (-1 for none or off). Returns the row as shift indices
    (-1 off), or an empty array when no types fit."""
    n, m = fits.shape
    best = np.full((n, m + 1), NEG)  # column m: off
    back = np.full((n, m + 1), -1, dtype=np.int64)
    for d in range(n):
        for s in range(m + 1):
            if s < m and not fits[d, s]:
                continue
            if s == m and pattern[d] != 0:
                continue
            top, arg = NEG, -1
            if d == 0:
                if s == m or first < 0 or not banned[first, s]:
                    top, arg = 0.0, m
            else:
                for q in range(m + 1):
                    v = best[d - 1, q]
                    if v <= NEG / 2 or (s < m and q < m and banned[q, s]):
                        continue
                    if v > top:
                        top, arg = v, q
            if arg >= 0:
                best[d, s] = top + (value[d, s] if s < m else 0.0)
                back[d, s] = arg
    row = np.full(n, -1, dtype=np.int64)
    s = int(np.argmax(best[n - 1]))
    if best[n - 1, s] <= NEG / 2:
        return row[:0]
    for d in range(n - 1, -1, -1):
        row[d] = -1 if s == m else s
        s = back[d, s]
    return row


class _TypeChoice:
    """The arrays `_types_kernel` reads for one person and work pattern."""

    def __init__(self, problem: Problem, person: Person, pattern: list[int], allowed, gain, unit: int):
        shifts = problem.shift_types
        self.ids = [s.id for s in shifts]
        self.index = index = {sid: i for i, sid in enumerate(self.ids)}
        n, m = len(pattern), len(shifts)
        self.fits = np.zeros((n, m), dtype=np.bool_)
        self.value = np.zeros((n, m), dtype=np.float64)
        units = [s.length_minutes // unit for s in shifts]
        for d, length in enumerate(pattern):
            if length:
                for sid in allowed[d]:
                    i = index[sid]
                    if units[i] == length:
                        self.fits[d, i] = True
                        self.value[d, i] = gain.get((d, sid), 0.0)
        rest = person.contract.min_rest_minutes
        self.banned = np.zeros((m, m), dtype=np.bool_)
        for a, b in problem.forbidden_successions:
            if a in index and b in index:
                self.banned[index[a], index[b]] = True
        if rest:
            for a in shifts:
                for b in shifts:
                    if b.start_minute + 1440 - a.end_minute < rest:
                        self.banned[index[a.id], index[b.id]] = True
        history = problem.history.get(person.id, ())
        last = history[-1] if history else None
        self.first = index.get(last, -1) if last is not None else -1
        self.pattern = np.array(pattern, dtype=np.int64)

    def row(self, penalty: np.ndarray):
        """The best row with `penalty[s]` taken off each shift of type s (None when no types fit)."""
        found = _types_kernel(self.pattern, self.fits, self.value - penalty, self.banned, self.first)
        if not len(found):
            return None
        return tuple(None if i < 0 else self.ids[i] for i in found)

    def within(self, row, caps: dict[str, int], used: dict[str, int]):
        """`row` with the shifts of over-used types changed, cheapest first, to another type that fits the
        day and its neighbours' successions (None when one cannot be). Pricing alone cannot stop at a
        maximum when the days look alike: at one price a type is worked every day, a little above it on
        none."""
        index = self.index
        row, used = list(row), dict(used)
        m = len(self.ids)
        for sid, cap in caps.items():
            s = index[sid]
            while used[sid] > cap:
                best = None
                for d, x in enumerate(row):
                    if x != sid:
                        continue
                    before = (
                        index[row[d - 1]] if d and row[d - 1] is not None else (self.first if not d else -1)
                    )
                    after = index[row[d + 1]] if d + 1 < len(row) and row[d + 1] is not None else -1
                    for t in range(m):
                        other = self.ids[t]
                        if t == s or not self.fits[d, t] or used.get(other, 0) >= caps.get(other, len(row)):
                            continue
                        if (before >= 0 and self.banned[before, t]) or (after >= 0 and self.banned[t, after]):
                            continue
                        loss = self.value[d, s] - self.value[d, t]
                        if best is None or loss < best[0]:
                            best = (loss, d, other)
                if best is None:
                    return None
                _loss, d, other = best
                row[d] = other
                used[sid] -= 1
                if other in used:
                    used[other] += 1
        return tuple(row)

    def worth(self, row) -> float:
        return float(sum(self.value[d, self.index[x]] for d, x in enumerate(row) if x is not None))


class _Trace:
    """Reads a work pattern back from the choices `_pattern_kernel` recorded."""

    def __init__(self, arcs, options, weekend_days, first_weekend_day, off_states) -> None:
        self.arcs, self.options, self.off_states = arcs, options, off_states
        self.weekend_days, self.first_weekend_day = weekend_days, first_weekend_day

    def pattern(self, choices, q: int, w: int, u: int, *, units: bool = True) -> list[int]:
        """Lengths worked per day (0 off) ending in state (q, w, u); `units=False` when the kernel ran
        without the minutes dimension (every option of length 0)."""
        pattern = [0] * len(choices)
        for d in range(len(choices) - 1, -1, -1):
            index, k = divmod(int(choices[d][q, w, u]), 64)
            a, label, _b = self.arcs[index]
            if label == 1:
                length = self.options[d][k - 1][0]
                pattern[d] = length
                u -= length if units else 0
                if d in self.weekend_days and (d in self.first_weekend_day or a in self.off_states):
                    w -= 1
            q = a
        return pattern


def _priced_pattern(kernel, trace: _Trace, opt_len, opt_val, min_units: int, max_units: int):
    """The work pattern with the total minutes priced instead of counted: the kernel without its minutes
    dimension, each unit worked costing `price`, the price bisected until the total falls within
    [min_units, max_units], else the nearest patterns above and below fitted by shift lengths
    (`_fit_lengths`); None when neither lands (the caller runs the exact kernel).

    Over a year the minutes dimension is what the kernel pays for (Instance24: 937 units, 0.96 s a
    person; priced, about 40 runs of a kernel 937 times smaller). A pattern that lands within the totals
    at a price is the best one for its own total, which is what the exact kernel would pick when the
    totals bind; when they do not, price 0 lands and is exact."""
    n, num_states, max_we, start, arcs, weekend, first_we, off_mask = kernel
    no_minutes = np.where(opt_len >= 0, 0, -1)
    # ties between equal days make the total jump past the range as the price moves: a tiny, fixed
    # perturbation of each option's value breaks them
    jitter = np.random.default_rng(n).uniform(0.0, TIE_BREAK, opt_val.shape)

    def at(price: float):
        values = (opt_val + jitter - price * np.maximum(opt_len, 0)).astype(np.float32)
        dp, choices = _pattern_kernel(
            n, num_states, max_we, 0, start, arcs, no_minutes, values, weekend, first_we, off_mask
        )
        if dp.max() <= NEG / 2:
            return None, -1
        q, w, _u = (int(i) for i in np.unravel_index(int(np.argmax(dp)), dp.shape))
        pattern = trace.pattern(choices, q, w, 0, units=False)
        return pattern, sum(pattern)

    top = float(np.abs(opt_val).max()) + 1.0
    pattern, total = at(0.0)
    if pattern is None:
        return None
    if min_units <= total <= max_units:
        return pattern
    # a price past a whole horizon's values makes the count of units decide (most or least work)
    low, high = (-top * n, 0.0) if total < min_units else (0.0, top * n)
    near = {}  # the closest pattern found above the maximum and below the minimum
    from_above = total > max_units
    landed, rounds = None, PRICE_ROUNDS
    while rounds > 0:
        rounds -= 1
        price = (low + high) / 2
        pattern, total = at(price)
        if pattern is None:
            return None
        if total > max_units:
            low, near["above"] = price, pattern
        elif total < min_units:
            high, near["below"] = price, pattern
        else:
            # within the totals; the best such pattern is nearest the unpriced one (the most work when
            # the totals cap it, the least when they force it): go on towards price 0 for a few rounds
            if landed is None:
                rounds = min(rounds, LANDED_ROUNDS)
            if landed is None or _pattern_value(pattern, trace.options) > _pattern_value(
                landed, trace.options
            ):
                landed = pattern
            if from_above:
                high = price
            else:
                low = price
    if landed is not None:
        return landed
    fitted = [f for f in (_fit_lengths(p, trace.options, min_units, max_units) for p in near.values()) if f]
    return max(fitted, key=lambda f: _pattern_value(f, trace.options), default=None)


def _pattern_value(pattern: list[int], options) -> float:
    return sum(
        next(v for length, v, _s in options[d] if length == units) for d, units in enumerate(pattern) if units
    )


def _fit_lengths(pattern: list[int], options, min_units: int, max_units: int) -> list[int] | None:
    """`pattern` brought within [min_units, max_units] by working shorter (or longer) shifts on days it
    works, the least value lost a unit first; the days worked, so the runs and weekends, stay the same.
    Where the total jumps past the range as the price moves (two patterns of nearly the same priced value,
    18 units apart on Instance24), this lands where bisection cannot; None when no lengths fit."""
    pattern = list(pattern)
    total = sum(pattern)
    while not min_units <= total <= max_units:
        shorter = total > max_units
        best = None
        for d, units in enumerate(pattern):
            if not units:
                continue
            values = {length: v for length, v, _s in options[d]}
            steps = [length for length in values if (length < units if shorter else length > units)]
            if not steps:
                continue
            length = max(steps) if shorter else min(steps)
            moved = abs(units - length)
            after = total - moved if shorter else total + moved
            overshoot = after < min_units if shorter else after > max_units
            loss = (values[units] - values[length]) / moved
            key = (overshoot, loss)
            if best is None or key < best[0]:
                best = (key, d, length, after)
        if best is None or best[0][0]:
            return None
        _key, d, length, total = best
        pattern[d] = length
    return pattern


def _capped_types(problem, person, pattern, allowed, gain, unit, caps):
    """The shift types along `pattern` within the per-type maxima `caps`: the over-used types are priced
    (Lagrangian style) by bisection on each type's price, and the best row within the maxima is kept.
    Doubling a price until the row fits overshot: on Instance22 (a type capped at 3-4 a window) the row
    then dropped the type altogether, and the first roster had none of the rarer types on days 0-9 beside
    nine times the preferred cover of the common one."""
    choice = _TypeChoice(problem, person, pattern, allowed, gain, unit)
    penalty = np.zeros(len(choice.ids))
    low: dict[str, float] = {}
    high: dict[str, float] = {}
    best, best_value, row = None, NEG, None
    for _ in range(TYPE_PRICE_ROUNDS):
        row = choice.row(penalty)
        if row is None:
            return best
        used = {sid: sum(1 for x in row if x == sid) for sid in caps}
        over = {sid for sid, cap in caps.items() if used[sid] > cap}
        fitted = choice.within(row, caps, used) if over else row
        if fitted is not None:
            value = choice.worth(fitted)
            if value > best_value:
                best, best_value = fitted, value
        changed = False
        for sid in caps:
            i = choice.index[sid]
            price = penalty[i]
            if sid in over:
                low[sid] = price
                penalty[i] = price * 2 + 50.0 if sid not in high else (price + high[sid]) / 2
                changed = True
            elif price > 0 and used[sid] < caps[sid]:  # priced more than it needs: try lower
                high[sid] = price
                penalty[i] = (low.get(sid, 0.0) + price) / 2
                changed = changed or price - penalty[i] > 0.5
        if not changed:
            break
    # still over a per-type maximum: the caller prices those types in the pattern and retries
    return best if best is not None else row


_REQUESTS: dict[int, tuple[tuple, dict]] = {}


def _requests_by_person(problem: Problem) -> dict:
    """Requests grouped by person, kept for the last problem seen (construction asks once per person)."""
    key = id(problem.requests)
    cached = _REQUESTS.get(key)
    if cached is None or cached[0] is not problem.requests:
        grouped: dict[str, list] = {}
        for r in problem.requests:
            grouped.setdefault(r.person, []).append(r)
        _REQUESTS.clear()
        cached = _REQUESTS[key] = (problem.requests, grouped)
    return cached[1]


def person_gain(
    problem: Problem, person: Person, external: dict, allowed: Sequence[Sequence[str]], noise=None
):
    """Value of working each allowed (day, shift) given the cover others already give, and the requests.
    `noise` (a random.Random) adds to each cell's value less than 0.5 over the whole row, under the
    smallest weight (1): ties between rows then fall randomly, a better row stays better."""
    gain: dict[tuple[int, str], float] = {}
    for cover in problem.cover:
        if cover.skill is not None and not person.has_skill(cover.skill, problem.date(cover.day)):
            continue
        have = external.get((cover.day, cover.shift, cover.skill), 0)
        value = cover.weight_under if have < cover.preferred else -cover.weight_over
        value += problem.weights.cover_minimum_relaxed if have < cover.minimum else 0
        gain[(cover.day, cover.shift)] = gain.get((cover.day, cover.shift), 0.0) + value
    for r in _requests_by_person(problem).get(person.id, ()):
        for s in allowed[r.day]:
            if r.shift is None or r.shift == s:
                gain[(r.day, s)] = gain.get((r.day, s), 0.0) + (r.weight if r.on else -r.weight)
    if noise is not None:
        scale = 0.5 / max(problem.num_days, 1)
        for d, day in enumerate(allowed):
            for s in day:
                gain[(d, s)] = gain.get((d, s), 0.0) + noise.random() * scale
    return gain


def dp_row(
    problem: Problem,
    person: Person,
    external: dict,
    allowed: Sequence[Sequence[str]],
    cells: dict | None = None,
    noise=None,
):
    """The DP row for `person`, or None when the DP does not apply or its row breaks one of their rules.

    When the row exceeds a per-type maximum, those types are priced down in the pattern and it is retried;
    when successions between shift lengths block the types, a single shift length is tried instead."""
    lengths: dict[int, int] = {}
    shifts = {s.id: s for s in problem.shift_types}
    for day in allowed:
        for sid in day:
            lengths[shifts[sid].length_minutes] = lengths.get(shifts[sid].length_minutes, 0) + 1
    variants = [allowed] + [
        [[s for s in day if shifts[s].length_minutes == length] for day in allowed]
        for length in sorted(lengths, key=lambda k: -lengths[k])
        if len(lengths) > 1
    ]
    for variant in variants:
        gain = person_gain(problem, person, external, variant, noise)
        row = _priced_row(problem, person, gain, variant, cells)
        if row is not None:
            return row
    return None


def _priced_row(
    problem: Problem, person: Person, gain: dict, allowed: Sequence[Sequence[str]], cells: dict | None = None
):
    limits = person.contract.max_shifts_per_type.items()
    caps = {sid: cap for sid, cap in limits if 0 < cap < problem.num_days}
    price = 0.0
    for _ in range(8):
        row = person_row(problem, person, allowed, gain)
        if row is None:
            return None
        mine = {person.id: row}
        check = roster_check(
            problem, mine, staff=[person], include_soft=False, cells=cells, scopes=("person",)
        )
        if not check.broken:
            return row
        over = [sid for sid, cap in caps.items() if sum(1 for x in row if x == sid) > cap]
        if not over:
            return None
        price = price * 2 + 100.0
        gain = {key: value - (price if key[1] in over else 0.0) for key, value in gain.items()}
        for d, day in enumerate(allowed):
            for sid in over:
                if sid in day and (d, sid) not in gain:
                    gain[(d, sid)] = -price
    return None
