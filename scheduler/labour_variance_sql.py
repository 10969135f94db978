"""The labour-variance figures and budget of every unit and week in one PostgreSQL query.

The same arithmetic as scheduler.labour_cost.price_shifts and scheduler.labour_variance._pair, done where
the rows are: the roster in force per unit and day (newest published, else newest solved), each shift
priced at the most specific rate valid on its date (the person's own, their role's on their contract,
their role's), weekly overtime counted in date order by a window sum, the highest of the night, weekend
and holiday multipliers, each shift rounded to the cent; then rostered and actual paired per unit, person
and day and their difference split into its causes, summed per unit and week with GROUP BY, and joined to
the week's budget.

Money is whole cents and multipliers whole hundredths (every rate and budget field has two decimals), so
a shift is priced in integer arithmetic, exactly, and Python reads integers. The rates are resolved per
person before the shifts meet them: each person's days are cut where any rate that could apply starts or
ends, and each piece keeps its most specific rate, so a shift joins one row. bench/labour_variance.py
measures it against the previous query; scheduler/tests/test_labour_variance.py holds it equal to the
Python path and to a plain recomputation on generated data.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db import connection

from capacity.models import LabourBudget, Person
from scheduler.models import (
    PayRate,
    PersonContract,
    Roster,
    RosterAssignment,
    ShiftType,
    TimesheetEntry,
    WorkRules,
)

_SQL = """
WITH in_force AS (
    SELECT DISTINCT ON (r.department_id, d.day) r.department_id AS unit_id, d.day, r.id AS roster_id
    FROM {roster} r
    CROSS JOIN LATERAL (
        SELECT g::date AS day
        FROM generate_series(
            GREATEST(r.start_date, %(start)s::date)::timestamp,
            LEAST(r.end_date, %(end)s::date)::timestamp,
            interval '1 day'
        ) g
    ) d
    WHERE r.department_id = ANY(%(units)s) AND r.start_date <= %(end)s AND r.end_date >= %(start)s
      AND r.status IN ('published', 'solved')
    ORDER BY r.department_id, d.day, (r.status <> 'published'), r.created_at DESC, r.id DESC
),
planned AS MATERIALIZED (
    -- the in-force rosters' ids as an array, so their assignments are read by index whatever the
    -- table's history
    SELECT f.unit_id, a.person_id, a.date AS day, st.paid_minutes AS minutes, st.is_night AS night,
           a.id AS ord
    FROM {assignment} a
    JOIN in_force f ON f.roster_id = a.roster_id AND f.day = a.date
    JOIN {shift_type} st ON st.id = a.shift_type_id
    WHERE a.roster_id = ANY(ARRAY(SELECT DISTINCT roster_id FROM in_force))
      AND a.date BETWEEN %(start)s AND %(end)s
),
actual AS (
    -- an actual is a night shift when it says so, else when the rostered shift was one, else when it
    -- ends on the next day
    SELECT t.department_id AS unit_id, t.person_id, t.date AS day, t.worked_minutes AS minutes,
           COALESCE(st.is_night, pn.night, t."end" < t.start) AS night, t.id AS ord
    FROM {timesheet} t
    LEFT JOIN {shift_type} st ON st.id = t.shift_type_id
    -- one planned shift at most per unit, person and day: one roster in force, one shift per person-day
    LEFT JOIN planned pn
        ON pn.unit_id = t.department_id AND pn.person_id = t.person_id AND pn.day = t.date
    WHERE t.department_id = ANY(%(units)s) AND t.date BETWEEN %(start)s AND %(end)s
),
holidays AS (
    SELECT * FROM unnest(%(holiday_units)s::bigint[], %(holiday_days)s::date[]) AS h(unit_id, day)
),
shifts AS MATERIALIZED (
    -- 1 January 1900 was a Monday: whole-day arithmetic gives each day its weekday and its week's Monday;
    -- the holiday test is a hashed lookup (IN), which leaves the join order to the rates below
    SELECT *, (day - DATE '1900-01-01') %% 7 AS weekday, day - (day - DATE '1900-01-01') %% 7 AS week,
           (unit_id, day) IN (SELECT * FROM holidays) AS holiday
    FROM (
        SELECT false AS is_actual, * FROM planned
        UNION ALL
        SELECT true AS is_actual, * FROM actual
    ) both_kinds
),
people AS (
    SELECT p.id AS person_id, p.role_id, c.work_rules_id, wr.contract_minutes_per_week AS allowance
    FROM {person} p
    LEFT JOIN {contract} c ON c.person_id = p.id
    LEFT JOIN {work_rules} wr ON wr.id = c.work_rules_id
    WHERE p.id IN (SELECT person_id FROM shifts)
),
rates AS MATERIALIZED (
    -- the rates that may apply, in whole cents and hundredths (both fields have two decimals), so
    -- that each shift is priced in integer arithmetic
    SELECT id AS rate_id, person_id AS owner_id, role_id AS owner_role_id,
           work_rules_id AS owner_work_rules_id, valid_from, COALESCE(valid_to, 'infinity') AS valid_to,
           (hourly_rate * 100)::bigint AS cents, (overtime_multiplier * 100)::int AS ot_x,
           (night_multiplier * 100)::int AS night_x, (weekend_multiplier * 100)::int AS weekend_x,
           (holiday_multiplier * 100)::int AS holiday_x
    FROM {pay_rate}
    WHERE (person_id IN (SELECT person_id FROM people)
           OR (person_id IS NULL AND role_id IN (SELECT role_id FROM people)))
      AND valid_from <= %(end)s AND (valid_to IS NULL OR valid_to >= %(start)s)
),
candidates AS (
    -- every rate that may apply to a person, ranked: their own, their role's on their contract, their
    -- role's
    SELECT p.person_id, p.allowance, 0 AS rank, r.*
    FROM people p JOIN rates r ON r.owner_id = p.person_id
    UNION ALL
    SELECT p.person_id, p.allowance, 1, r.*
    FROM people p JOIN rates r
        ON r.owner_id IS NULL AND r.owner_role_id = p.role_id AND r.owner_work_rules_id = p.work_rules_id
    UNION ALL
    SELECT p.person_id, p.allowance, 2, r.*
    FROM people p JOIN rates r
        ON r.owner_id IS NULL AND r.owner_role_id = p.role_id AND r.owner_work_rules_id IS NULL
),
segments AS (
    -- a person's days cut where any of their candidate rates starts or ends: within a segment the same
    -- rates apply
    SELECT person_id, day AS seg_from,
           COALESCE(LEAD(day) OVER (PARTITION BY person_id ORDER BY day) - 1, 'infinity') AS seg_to
    FROM (
        SELECT DISTINCT c.person_id, b.day
        FROM candidates c CROSS JOIN LATERAL (VALUES (c.valid_from), (c.valid_to + 1)) b(day)
        WHERE b.day < 'infinity'  -- an open-ended rate starts no piece after it
    ) bounds
),
effective AS (
    -- per person and segment, the most specific rate (one owner's rates never overlap)
    SELECT DISTINCT ON (s.person_id, s.seg_from)
           s.person_id, s.seg_from, s.seg_to, c.allowance, c.cents, c.ot_x, c.night_x, c.weekend_x,
           c.holiday_x
    FROM segments s
    JOIN candidates c
        ON c.person_id = s.person_id AND c.valid_from <= s.seg_from AND s.seg_from <= c.valid_to
    ORDER BY s.person_id, s.seg_from, c.rank
),
terms AS (
    -- weekly overtime: the minutes of the same kind the person worked earlier in the week, in date order
    SELECT s.is_actual, s.unit_id, s.person_id, s.day, s.week, s.weekday, s.minutes, s.night, s.holiday,
           CASE WHEN e.allowance IS NULL THEN 0
                ELSE GREATEST(0, s.minutes - GREATEST(0, e.allowance - s.used)) END AS overtime,
           e.cents, e.ot_x, e.night_x, e.weekend_x, e.holiday_x
    FROM (
        SELECT *, SUM(minutes) OVER (
                   PARTITION BY person_id, is_actual, week ORDER BY day, ord ROWS UNBOUNDED PRECEDING
               ) - minutes AS used
        FROM shifts
    ) s
    LEFT JOIN effective e ON e.person_id = s.person_id AND e.seg_from <= s.day AND s.day <= e.seg_to
),
priced AS (
    -- cost in cents = rate in cents x minutes x multiplier in hundredths / 6000, rounded half up
    -- (everything is non-negative: check constraints)
    SELECT is_actual, unit_id, person_id, day, week, minutes,
           CASE WHEN cents IS NULL THEN 0
                ELSE (cents * ((minutes - overtime) * base + overtime * GREATEST(base, ot_x)) + 3000)
                     / 6000
           END AS cost
    FROM (
        SELECT *, GREATEST(100, CASE WHEN night THEN night_x END,
                           CASE WHEN weekday >= 5 THEN weekend_x END,
                           CASE WHEN holiday THEN holiday_x END) AS base
        FROM terms
    ) premium
),
pairs AS (
    SELECT unit_id, week,
           SUM(minutes) FILTER (WHERE NOT is_actual) AS pm,
           SUM(cost) FILTER (WHERE NOT is_actual)::bigint AS pc,
           SUM(minutes) FILTER (WHERE is_actual) AS am, SUM(cost) FILTER (WHERE is_actual)::bigint AS ac
    FROM priced
    GROUP BY unit_id, week, person_id, day
),
split AS (
    -- the rostered cost per minute times the extra minutes, rounded half away from zero in cents
    SELECT *, CASE WHEN pm IS NULL OR am IS NULL THEN NULL
                   WHEN pm = 0 THEN 0
                   WHEN pc * (am - pm) < 0 THEN -((2 * -(pc * (am - pm)) + pm) / (2 * pm))
                   ELSE (2 * pc * (am - pm) + pm) / (2 * pm)
              END AS longer
    FROM pairs
),
figures AS (
    SELECT unit_id, week,
           SUM(pm) AS pm, SUM(pc) AS pc, SUM(am) AS am, SUM(ac) AS ac,
           SUM(am - pm) AS om, SUM(longer) AS oc,
           SUM(am) FILTER (WHERE pm IS NULL) AS um, SUM(ac) FILTER (WHERE pm IS NULL) AS uc,
           -SUM(pm) FILTER (WHERE am IS NULL) AS mm, -SUM(pc) FILTER (WHERE am IS NULL) AS mc,
           SUM(ac - pc - longer) AS rc
    FROM split
    GROUP BY unit_id, week
),
budgets AS (
    SELECT department_id AS unit_id, week_start AS week, (hours * 100)::bigint AS hours,
           (cost * 100)::bigint AS cost
    FROM {budget}
    WHERE department_id = ANY(%(units)s) AND week_start BETWEEN %(start)s AND %(last_monday)s
)
SELECT COALESCE(f.unit_id, b.unit_id), COALESCE(f.week, b.week), b.hours, b.cost,
       COALESCE(pm, 0)::bigint, COALESCE(pc, 0)::bigint, COALESCE(am, 0)::bigint, COALESCE(ac, 0)::bigint,
       COALESCE(om, 0)::bigint, COALESCE(oc, 0)::bigint, COALESCE(um, 0)::bigint, COALESCE(uc, 0)::bigint,
       COALESCE(mm, 0)::bigint, COALESCE(mc, 0)::bigint, COALESCE(rc, 0)::bigint
FROM figures f
FULL JOIN budgets b ON b.unit_id = f.unit_id AND b.week = f.week
"""


def _query() -> str:
    return _SQL.format(
        roster=Roster._meta.db_table,
        assignment=RosterAssignment._meta.db_table,
        shift_type=ShiftType._meta.db_table,
        timesheet=TimesheetEntry._meta.db_table,
        person=Person._meta.db_table,
        contract=PersonContract._meta.db_table,
        work_rules=WorkRules._meta.db_table,
        pay_rate=PayRate._meta.db_table,
        budget=LabourBudget._meta.db_table,
    )


def variance_rows(
    *, unit_ids: list[int], mondays: list[date], holidays: dict[int, frozenset[date]]
) -> list[tuple]:
    """(unit id, Monday, budget hours in hundredths or None, budget cost in cents or None, rostered
    minutes, rostered cents, actual minutes, actual cents, overtime minutes, overtime cents, unplanned
    minutes, unplanned cents, missing minutes, missing cents, rate cents) for each unit and week with a
    shift or a budget; all integers. One query."""
    pairs = [(unit, day) for unit, days in holidays.items() for day in sorted(days)]
    params = {
        "units": list(unit_ids),
        "start": mondays[0],
        "end": mondays[-1] + timedelta(days=6),
        "last_monday": mondays[-1],
        "holiday_units": [unit for unit, _ in pairs],
        "holiday_days": [day for _, day in pairs],
    }
    with connection.cursor() as cursor:
        cursor.execute(_query(), params)
        return cursor.fetchall()
