"""The figures that put a roster beside its scenarios: cover met, penalties by rule, cost against budget,
fairness and hours against contract, each measured on the Problem the roster was solved for (the base's
own inputs, or the scenario's changed ones) by the referee and plain counts. Cost is the solver's: each
shift at the person's hourly rate (roster pages price premiums too), so base and scenario compare alike."""

from __future__ import annotations

from collections import defaultdict

from scheduler.solver import domain as sd
from scheduler.solver.evaluate import evaluate


def _cover(problem: sd.Problem, roster: sd.Roster) -> dict:
    rows = minimum_met = preferred_met = short = under = 0
    for cover in problem.cover:
        if not cover.minimum and not cover.preferred:
            continue
        date = problem.date(cover.day)
        count = problem.external_cover.get((cover.day, cover.shift, cover.skill), 0) + sum(
            1
            for person in problem.staff
            if roster[person.id][cover.day] == cover.shift
            and (cover.skill is None or person.has_skill(cover.skill, date))
        )
        rows += 1
        minimum_met += count >= cover.minimum
        preferred_met += count >= cover.preferred
        short += max(0, cover.minimum - count)
        under += max(0, cover.preferred - count)
    return {
        "requirements": rows,
        "minimum_met": minimum_met,
        "preferred_met": preferred_met,
        "people_short_of_minimum": short,
        "people_under_preferred": under,
    }


def _weeks(problem: sd.Problem, roster: sd.Roster) -> list[dict]:
    budget_of = {budget.days: budget for budget in problem.budgets}
    rows = []
    for days, _ in problem.weeks():
        minutes = cost = 0
        for person in problem.staff:
            for day in days:
                shift = roster[person.id][day]
                if shift is not None:
                    length = problem.shift(shift).length_minutes
                    minutes += length
                    cost += person.hourly_rate * length // 60
        budget = budget_of.get(days)
        rows.append(
            {
                "week": problem.date(days[0]).isoformat(),
                "hours": round(minutes / 60, 2),
                "cost": cost,
                "budget_hours": None
                if budget is None or budget.minutes is None
                else round(budget.minutes / 60, 2),
                "budget_cost": None if budget is None else budget.cost,
            }
        )
    return rows


def _fairness_and_hours(problem: sd.Problem, roster: sd.Roster) -> tuple[dict, dict]:
    groups: dict[str, list[tuple[int, int, int]]] = defaultdict(list)
    weekends = problem.weekends()
    worked_total = contract_total = over = under = 0
    people_over = 0
    for person in problem.staff:
        row = roster[person.id]
        minutes = sum(problem.shift(s).length_minutes for s in row if s is not None)
        nights = sum(1 for s in row if s is not None and problem.shift(s).night)
        worked_weekends = sum(1 for days in weekends if any(row[d] is not None for d in days))
        groups[person.contract.id].append((nights, worked_weekends, minutes))
        worked_total += minutes
        contracted = person.contract.contract_minutes
        if contracted is not None:
            contract_total += contracted
            over += max(0, minutes - contracted)
            under += max(0, contracted - minutes)
            people_over += minutes > contracted
    spreads = [
        [max(values) - min(values) for values in zip(*members, strict=True)]
        for members in groups.values()
        if len(members) > 1
    ]
    fairness = {
        "nights_spread": max((s[0] for s in spreads), default=0),
        "weekends_spread": max((s[1] for s in spreads), default=0),
        "hours_spread": round(max((s[2] for s in spreads), default=0) / 60, 2),
    }
    hours = {
        "people": len(problem.staff),
        "hours": round(worked_total / 60, 2),
        "contract_hours": round(contract_total / 60, 2),
        "hours_over_contract": round(over / 60, 2),
        "hours_under_contract": round(under / 60, 2),
        "people_over_contract": people_over,
    }
    return fairness, hours


def roster_figures(problem: sd.Problem, roster: sd.Roster) -> dict:
    """Every figure of the comparison for one roster on its problem."""
    evaluation = evaluate(problem, roster)
    by_rule: dict[str, int] = defaultdict(int)
    for term in evaluation.penalties:
        by_rule[term.rule] += term.amount
    weeks = _weeks(problem, roster)
    fairness, hours = _fairness_and_hours(problem, roster)
    budgeted = [w for w in weeks if w["budget_cost"] is not None]
    return {
        "objective": evaluation.objective,
        "hard_violations": len(evaluation.violations),
        "penalties_by_rule": dict(sorted(by_rule.items())),
        "cover": _cover(problem, roster),
        "cost": sum(w["cost"] for w in weeks),
        "budget_cost": sum(w["budget_cost"] for w in budgeted) if budgeted else None,
        "weeks": weeks,
        "fairness": fairness,
        "hours": hours,
    }
