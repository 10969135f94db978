"""The master LP over the column pool, solved by HiGHS (highspy) directly so the simplex warm-starts.

Rows: one "exactly one row" per person; per cover row the people working that (day, shift) with slack for
the missing (and, for the soft row, the extra) people at the cover weights; per fairness measure and group
two rows per member tying the member's measure to the group's max and min variables, whose spread is priced
at the fairness weight. Columns are added as pricing finds them; bounds fix or forbid columns while diving.
"""

from __future__ import annotations

import highspy
import numpy as np

from .model import OFF, ColgenModel

INF = highspy.kHighsInf


class Master:
    def __init__(self, model: ColgenModel) -> None:
        self.model = model
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        # no `threads`: HiGHS's thread pool is made once per process, and a solve asking another size than
        # the first solve of the process (e.g. the MILP engine's) fails with "Not Set"; the simplex is serial
        h.setOptionValue("solver", "simplex")
        h.setOptionValue("simplex_strategy", 4)  # primal: new columns keep the basis primal feasible
        self.h = h
        people = len(model.people)
        lower, upper = [1.0] * people, [1.0] * people
        self.cover_rows: dict[tuple[int, int], list[tuple[int, frozenset[int]]]] = {}
        slack_cost, slack_row, slack_coef = [], [], []
        for i, cv in enumerate(model.covers):
            r = people + i
            if cv.hard:
                lower.append(float(cv.target))
                upper.append(INF)
            else:
                lower.append(float(cv.target))
                upper.append(float(cv.target))
                slack_cost.append(float(cv.over))
                slack_row.append(r)
                slack_coef.append(-1.0)
            slack_cost.append(float(cv.under))
            slack_row.append(r)
            slack_coef.append(1.0)
            self.cover_rows.setdefault((cv.day, cv.shift), []).append((r, cv.members))
        # fairness: rows (member <= max) and (member >= min) per group and measure
        self.fair_rows: dict[int, list[tuple[str, int, int]]] = {}  # person -> (measure, row_hi, row_lo)
        fair_cols = []
        row = people + len(model.covers)
        for f in model.fairness:
            hi_rows, lo_rows = [], []
            for p in f.members:
                self.fair_rows.setdefault(p, []).append((f.measure, row, row + 1))
                lower += [-INF, 0.0]
                upper += [0.0, INF]
                hi_rows.append(row)
                lo_rows.append(row + 1)
                row += 2
            fair_cols.append((float(f.weight), hi_rows, -1.0))  # U: x - U <= 0
            fair_cols.append((-float(f.weight), lo_rows, -1.0))  # L: x - L >= 0
        self.num_rows = row
        h.addRows(
            row,
            np.array(lower),
            np.array(upper),
            0,
            np.array([], dtype=np.int32),
            np.array([], dtype=np.int32),
            np.array([], dtype=np.float64),
        )
        for cost, r, coef in zip(slack_cost, slack_row, slack_coef, strict=True):
            h.addCol(cost, 0.0, INF, 1, np.array([r], dtype=np.int32), np.array([coef]))
        for cost, rows, coef in fair_cols:
            h.addCol(cost, 0.0, INF, len(rows), np.array(rows, dtype=np.int32), np.full(len(rows), coef))
        self.fixed_cols = h.getNumCol()
        self.columns: list[tuple[int, tuple[int, ...], float]] = []  # (person, row, own cost) per column
        self.known: dict[tuple[int, tuple[int, ...]], int] = {}  # (person, row) -> column
        self.by_person: dict[int, list[int]] = {p: [] for p in range(people)}

    def add(self, person: int, row: tuple[int, ...], cost: float) -> int | None:
        """Add a column (person's row with its own cost); None when it is already in the pool."""
        if (person, row) in self.known:
            return None
        index, values = self.coefficients(person, row)
        self.h.addCol(cost, 0.0, INF, len(index), np.array(index, dtype=np.int32), np.array(values))
        col = len(self.columns)
        self.known[(person, row)] = col
        self.columns.append((person, row, cost))
        self.by_person[person].append(col)
        return col

    def coefficients(self, person: int, row: tuple[int, ...]) -> tuple[list[int], list[float]]:
        index, values = [person], [1.0]
        for d, k in enumerate(row):
            if k == OFF:
                continue
            for r, members in self.cover_rows.get((d, k), ()):
                if person in members:
                    index.append(r)
                    values.append(1.0)
        if person in self.fair_rows:
            measures = self.model.measures(row)
            for measure, hi, lo in self.fair_rows[person]:
                if measures[measure]:
                    index += [hi, lo]
                    values += [float(measures[measure])] * 2
        return index, values

    def solve(self) -> tuple[float, np.ndarray, np.ndarray]:
        """LP value, column values (pool columns only) and row duals."""
        self.h.run()
        status = self.h.getModelStatus()
        if status != highspy.HighsModelStatus.kOptimal:  # always feasible (slacks): a HiGHS failure
            raise RuntimeError(f"the master LP ended {self.h.modelStatusToString(status)}")
        solution = self.h.getSolution()
        value = self.h.getInfo().objective_function_value
        x = np.asarray(solution.col_value)[self.fixed_cols :]
        return value, x, np.asarray(solution.row_dual)

    def set_bounds(self, col: int, lower: float, upper: float) -> None:
        self.h.changeColBounds(self.fixed_cols + col, lower, upper)

    def reset_bounds(self, cols) -> None:
        for col in cols:
            self.set_bounds(col, 0.0, INF)

    def solve_integer(
        self, time_limit: float, start: dict[int, tuple[int, ...]] | None = None
    ) -> tuple[dict[int, tuple[int, ...]] | None, bool]:
        """The restricted master as a MIP over the pool (a price-and-branch roster) within `time_limit`, and
        whether the MIP proved it optimal over the pool."""
        lp = self.h.getLp()
        mip = highspy.Highs()
        mip.setOptionValue("output_flag", False)
        mip.setOptionValue("time_limit", max(time_limit, 0.1))
        mip.setOptionValue("mip_rel_gap", 0.0)
        mip.passModel(lp)
        count = len(self.columns)
        if count == 0:
            return None, False
        cols = np.arange(self.fixed_cols, self.fixed_cols + count, dtype=np.int32)
        mip.changeColsIntegrality(count, cols, np.full(count, highspy.HighsVarType.kInteger))
        chosen = [self.known.get((p, row)) for p, row in (start or {}).items()]
        if start and None not in chosen:  # a MIP start: HiGHS completes the slacks and improves from it
            index = np.array([self.fixed_cols + c for c in chosen], dtype=np.int32)
            mip.setSolution(len(index), index, np.ones(len(index)))
        mip.run()
        solution = mip.getSolution()
        if not solution.value_valid:
            return None, False
        x = np.asarray(solution.col_value)[self.fixed_cols :]
        rows: dict[int, tuple[int, ...]] = {}
        for col in np.flatnonzero(x > 0.5):
            person, row, _cost = self.columns[int(col)]
            rows[person] = row
        if len(rows) != len(self.model.people):
            return None, False
        return rows, mip.getModelStatus() == highspy.HighsModelStatus.kOptimal
