"""The labour-variance figures of every unit and week in one PostgreSQL query.

The same arithmetic as scheduler.labour_cost.price_shifts and scheduler.labour_variance._pair, done where
the rows are: the roster in force per unit and day (newest published, else newest solved), each shift
priced at the most specific rate valid on its date (the person's own, their role's on their contract,
their role's), weekly overtime counted in date order by a window sum, the highest of the night, weekend
and holiday multipliers, each shift rounded to the cent; then rostered and actual paired per unit, person
and day and their difference split into its causes, summed per unit and week with GROUP BY. Python reads
one row per unit and week instead of pricing thousands of shifts (bench/labour_variance.py measures it;
scheduler/tests/test_labour_variance.py holds it equal to the Python path on generated data).
"""

from __future__ import annotations

from datetime import date

from django.db import connection

from capacity.models import Person
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
planned AS (
    SELECT f.unit_id, a.person_id, a.date AS day, st.paid_minutes AS minutes, st.is_night AS night,
           a.id AS ord
    FROM in_force f
    JOIN {assignment} a ON a.roster_id = f.roster_id AND a.date = f.day
    JOIN {shift_type} st ON st.id = a.shift_type_id
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
shifts AS (
    -- 1 January 1900 was a Monday: whole-day arithmetic gives each day its weekday and its week's Monday
    SELECT *, (day - DATE '1900-01-01') %% 7 AS weekday, day - (day - DATE '1900-01-01') %% 7 AS week
    FROM (
        SELECT 'r' AS kind, * FROM planned
        UNION ALL
        SELECT 'a' AS kind, * FROM actual
    ) both_kinds
),
holidays AS (
    SELECT * FROM unnest(%(holiday_units)s::bigint[], %(holiday_days)s::date[]) AS h(unit_id, day)
),
terms AS (
    -- the most specific rate valid on the day: the person's own, else their role's on their contract,
    -- else their role's (rates of one owner never overlap: exclusion constraints, so each join finds
    -- at most one row)
    SELECT s.kind, s.unit_id, s.person_id, s.day, s.week, s.weekday, s.minutes, s.night,
           wr.contract_minutes_per_week AS allowance, h.day IS NOT NULL AS holiday,
           COALESCE(own.hourly_rate, rc.hourly_rate, rr.hourly_rate) AS hourly_rate,
           COALESCE(own.overtime_multiplier, rc.overtime_multiplier, rr.overtime_multiplier) AS ot_x,
           COALESCE(own.night_multiplier, rc.night_multiplier, rr.night_multiplier) AS night_x,
           COALESCE(own.weekend_multiplier, rc.weekend_multiplier, rr.weekend_multiplier) AS weekend_x,
           COALESCE(own.holiday_multiplier, rc.holiday_multiplier, rr.holiday_multiplier) AS holiday_x,
           SUM(s.minutes) OVER (
               PARTITION BY s.kind, s.person_id, s.week
               ORDER BY s.day, s.ord ROWS UNBOUNDED PRECEDING
           ) - s.minutes AS used
    FROM shifts s
    JOIN {person} p ON p.id = s.person_id
    LEFT JOIN {contract} c ON c.person_id = p.id
    LEFT JOIN {work_rules} wr ON wr.id = c.work_rules_id
    LEFT JOIN holidays h ON h.unit_id = s.unit_id AND h.day = s.day
    LEFT JOIN {pay_rate} own
        ON own.person_id = s.person_id
       AND own.valid_from <= s.day AND (own.valid_to IS NULL OR s.day <= own.valid_to)
    LEFT JOIN {pay_rate} rc
        ON own.id IS NULL AND rc.person_id IS NULL AND rc.role_id = p.role_id
       AND rc.work_rules_id = c.work_rules_id
       AND rc.valid_from <= s.day AND (rc.valid_to IS NULL OR s.day <= rc.valid_to)
    LEFT JOIN {pay_rate} rr
        ON own.id IS NULL AND rc.id IS NULL AND rr.person_id IS NULL AND rr.role_id = p.role_id
       AND rr.work_rules_id IS NULL
       AND rr.valid_from <= s.day AND (rr.valid_to IS NULL OR s.day <= rr.valid_to)
),
priced AS (
    SELECT kind, unit_id, person_id, day, week, minutes,
           CASE WHEN hourly_rate IS NULL THEN 0
                ELSE round(
                    hourly_rate * ((minutes - overtime) * base + overtime * GREATEST(base, ot_x)) / 60, 2
                )
           END AS cost
    FROM (
        SELECT *,
               GREATEST(1, CASE WHEN night THEN night_x END, CASE WHEN weekday >= 5 THEN weekend_x END,
                        CASE WHEN holiday THEN holiday_x END) AS base,
               CASE WHEN allowance IS NULL THEN 0
                    ELSE GREATEST(0, minutes - GREATEST(0, allowance - used)) END AS overtime
        FROM terms
    ) premium
),
pairs AS (
    SELECT unit_id, week,
           SUM(minutes) FILTER (WHERE kind = 'r') AS pm, SUM(cost) FILTER (WHERE kind = 'r') AS pc,
           SUM(minutes) FILTER (WHERE kind = 'a') AS am, SUM(cost) FILTER (WHERE kind = 'a') AS ac
    FROM priced
    GROUP BY unit_id, week, person_id, day
),
split AS (
    SELECT *, CASE WHEN pm IS NOT NULL AND am IS NOT NULL
                   THEN CASE WHEN pm <> 0 THEN round(pc * (am - pm) / pm, 2) ELSE 0 END END AS longer
    FROM pairs
)
SELECT unit_id, week,
       COALESCE(SUM(pm), 0), COALESCE(SUM(pc), 0), COALESCE(SUM(am), 0), COALESCE(SUM(ac), 0),
       COALESCE(SUM(am - pm), 0), COALESCE(SUM(longer), 0),
       COALESCE(SUM(am) FILTER (WHERE pm IS NULL), 0), COALESCE(SUM(ac) FILTER (WHERE pm IS NULL), 0),
       -COALESCE(SUM(pm) FILTER (WHERE am IS NULL), 0), -COALESCE(SUM(pc) FILTER (WHERE am IS NULL), 0),
       COALESCE(SUM(ac - pc - longer), 0)
FROM split
GROUP BY unit_id, week
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
    )


def variance_rows(
    *, unit_ids: list[int], start: date, end: date, holidays: dict[int, frozenset[date]]
) -> list[tuple]:
    """(unit id, Monday, rostered minutes, rostered cost, actual minutes, actual cost, overtime minutes,
    overtime cost, unplanned minutes, unplanned cost, missing minutes, missing cost, rate cost) for each
    unit and week with a shift. One query."""
    pairs = [(unit, day) for unit, days in holidays.items() for day in sorted(days)]
    params = {
        "units": list(unit_ids),
        "start": start,
        "end": end,
        "holiday_units": [unit for unit, _ in pairs],
        "holiday_days": [day for _, day in pairs],
    }
    with connection.cursor() as cursor:
        cursor.execute(_query(), params)
        return cursor.fetchall()
