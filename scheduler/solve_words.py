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


def progress_words(*, objective: float | None, gap: float | None) -> str:
    """While solving, the engines report the incumbent's penalty and the bound, nothing per rule."""
    if objective is None:
        return "no roster found yet"
    return f"best roster so far costs {objective:,.0f} penalty points; {gap_words(gap)}"


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
