"""The roster page's risk rows: per shift type and day, the chance the shift is under-staffed and the
expected shortfall (scheduler.shift_risk), laid out like the grid's cover rows."""

from __future__ import annotations

from datetime import timedelta

from scheduler.models import Roster
from scheduler.shift_risk import roster_shift_risk

HIGH_RISK = 0.2  # a shift short on more than one path in five is marked


def risk_context(roster: Roster) -> dict:
    risk = roster_shift_risk(roster=roster)
    days = [
        (roster.start_date + timedelta(days=i)).isoformat()
        for i in range((roster.end_date - roster.start_date).days + 1)
    ]
    by_cell = {(s["date"], s["shift"]): s for s in risk["shifts"]}
    codes = sorted({s["shift"] for s in risk["shifts"]})
    rows = [
        {
            "shift": code,
            "days": [
                {**by_cell[(day, code)], "high": by_cell[(day, code)]["probability_short"] > HIGH_RISK}
                if (day, code) in by_cell
                else None
                for day in days
            ],
        }
        for code in codes
    ]
    return {**risk, "rows": rows, "high_risk": HIGH_RISK}
