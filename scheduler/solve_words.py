"""A solve's progress and result in words a planner reads at once: "best roster so far breaks no rule;
3 shifts below preferred cover; at most 6% from the best possible; stopped: within 1% of the best
possible". The job's progress and summary carry the sentence, so the page, the API and a script agree."""

from __future__ import annotations

STOP_REASON_TEXT = {
    "optimal": "proven the best possible",
    "gap": "close enough to the best possible",
    "stalled": "no better roster found for a while",
    "cancelled": "cancelled",
    "time_limit": "time limit reached",
    "completed": "the engine finished its search",
}


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def gap_words(gap: float | None) -> str:
    if gap is None:
        return "distance from the best possible not known yet"
    if gap <= 0:
        return "the best possible"
    percent = 100 * gap
    shown = f"{percent:.0f}" if percent >= 1 else f"{percent:.1f}"
    return f"at most {shown}% from the best possible"


def progress_words(
    *,
    objective: float | None,
    gap: float | None,
    hard_violations: int | None = None,
    below_preferred: int | None = None,
) -> str:
    """While solving: what the referee found in the best roster so far when the engines shared it (CP-SAT
    and column generation do), else its penalty; and how far it may be from the best possible."""
    if objective is None:
        return "no roster found yet"
    if hard_violations is None:
        return f"best roster so far costs {objective:,.0f} penalty points; {gap_words(gap)}"
    parts = [
        "best roster so far breaks no rule"
        if not hard_violations
        else f"best roster so far breaks {_plural(hard_violations, 'hard rule', 'hard rules')}"
    ]
    if below_preferred is not None:
        parts.append(
            _plural(below_preferred, "shift", "shifts") + " below preferred cover"
            if below_preferred
            else "every preferred cover met"
        )
    parts.append(gap_words(gap))
    return "; ".join(parts)


def summary_words(summary: dict) -> str:
    broken = summary.get("hard_violations") or 0
    parts = [
        "best roster breaks no rule"
        if not broken
        else f"best roster breaks {_plural(broken, 'hard rule', 'hard rules')}",
    ]
    below = summary.get("below_preferred")
    if below is not None:
        parts.append(
            _plural(below, "shift", "shifts") + " below preferred cover"
            if below
            else "every preferred cover met"
        )
    parts.append(gap_words(summary.get("gap")))
    reason = summary.get("stop_reason")
    if reason in STOP_REASON_TEXT:
        parts.append(f"stopped: {STOP_REASON_TEXT[reason]}")
    return "; ".join(parts)
