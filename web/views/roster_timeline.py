"""The roster as a timeline (`/rosters/{id}/?view=timeline`): per person, each shift a bar from its real
start to its real end on an hour axis, so a night that crosses midnight is drawn across into the next day;
leave lies under the day as a band. Drawn in SVG by the server (the page's CSP allows no inline style)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils.html import format_html, format_html_join

from scheduler.models import Roster
from web.views.roster_views import render_roster_view, roster_view_context

DAY_PX = 144  # 6 px an hour: an 8-hour shift is 48 px, wide enough for its code and start time
LABEL_MIN_PX = 44  # narrower bars show the code alone
ROW_PX = 30
BAR_PX = 20
MINUTES_A_DAY = 24 * 60


def _minutes(start: str) -> int:
    hours, minutes = start.split(":")
    return int(hours) * 60 + int(minutes)


def _px(minutes: float) -> float:
    return round(minutes * DAY_PX / MINUTES_A_DAY, 1)


def timeline_bars(row: dict, shifts: dict[str, dict], days: list, horizon_px: float) -> dict:
    """A person's shift bars and leave bands, in px along the roster's axis."""
    bars, leave = [], []
    for index, cell in enumerate(row["cells"]):
        day = days[index]
        if cell["leave"]:
            leave.append(
                {"x": _px(index * MINUTES_A_DAY), "width": DAY_PX, "kind": cell["leave"], "day": day}
            )
        shift = shifts.get(cell["code"])
        if shift is None:
            continue
        start_min = index * MINUTES_A_DAY + _minutes(shift["start"])
        end_min = start_min + shift["minutes"]
        start = datetime.combine(day, datetime.min.time()) + timedelta(minutes=_minutes(shift["start"]))
        end = start + timedelta(minutes=shift["minutes"])
        x = _px(start_min)
        width = min(_px(end_min), horizon_px) - x
        overnight = end.date() > day
        bars.append(
            {
                "x": x,
                "width": width,
                "text_x": x + 3,
                "code": cell["code"],
                "colour": cell["colour"],
                "start": start,
                "end": end,
                "overnight": overnight,
                "pinned": cell["pinned"],
                "breach": cell["breach"],
                "penalty": cell["penalty"],
                "label": f"{cell['code']} {shift['start']}" if width >= LABEL_MIN_PX else cell["code"],
                "title": f"{row['name']}: {shift['name']} {start:%a %d %b %H:%M} – "
                f"{end:%a %d %b %H:%M}" + (f". {cell['rules']}" if cell["rules"] else ""),
            }
        )
    return {"bars": bars, "leave": leave}


# The track of a row is drawn here rather than in the template: a month of a ward is a thousand bars, and
# Django's template loop costs several times what these format strings do.
LEAVE_SVG = (
    '<rect class="tl-leave leave-{}" x="{}" y="1" width="{}" height="{}" data-leave="{}">'
    "<title>{}: {} leave {}</title></rect>"
)
BAR_SVG = (
    '<g class="tl-bar shift-{}{}" data-shift="{}" data-start="{}" data-end="{}">'
    '<title>{}</title><rect x="{}" y="{}" width="{}" height="{}" rx="3"/><text x="{}" y="{}">{}</text></g>'
)


def _bar_classes(bar: dict) -> str:
    marks = " overnight" if bar["overnight"] else ""
    if bar["breach"]:
        return marks + " breach"
    return marks + (" penalty" if bar["penalty"] else "")


def track_svg(row: dict, *, horizon_px: float) -> str:
    """The SVG of one person's track: day lines (a pattern the page defines once), leave, then bars."""
    bar_y = (ROW_PX - BAR_PX) // 2
    return format_html(
        '<svg class="tl-track" width="{}" height="{}" viewBox="0 0 {} {}" role="img"'
        ' aria-label="{}: {} shift{}">'
        '<rect class="tl-bg" x="0" y="0" width="{}" height="{}" fill="url(#tl-days)"/>{}{}</svg>',
        horizon_px,
        ROW_PX,
        horizon_px,
        ROW_PX,
        row["name"],
        len(row["bars"]),
        "" if len(row["bars"]) == 1 else "s",
        horizon_px,
        ROW_PX,
        format_html_join(
            "",
            LEAVE_SVG,
            (
                (
                    band["kind"],
                    band["x"],
                    band["width"],
                    ROW_PX - 2,
                    band["kind"],
                    row["name"],
                    band["kind"],
                    f"{band['day']:%a %d %b}",
                )
                for band in row["leave"]
            ),
        ),
        format_html_join(
            "",
            BAR_SVG,
            (
                (
                    b["colour"],
                    _bar_classes(b),
                    b["code"],
                    f"{b['start']:%Y-%m-%dT%H:%M}",
                    f"{b['end']:%Y-%m-%dT%H:%M}",
                    b["title"],
                    b["x"],
                    bar_y,
                    b["width"],
                    BAR_PX,
                    b["text_x"],
                    bar_y + BAR_PX - 6,
                    b["label"] + (" P" if b["pinned"] else ""),
                )
                for b in row["bars"]
            ),
        ),
    )


def roster_timeline(request, roster: Roster):
    context = roster_view_context(request, roster, view="timeline")
    days = context["days"]
    shifts = {s["code"]: s for s in context["shift_types"]}
    horizon_px = len(days) * DAY_PX
    for group in context["people"]["groups"]:
        for row in group["people"]:
            row.update(timeline_bars(row, shifts, days, horizon_px))
            row["track_svg"] = track_svg(row, horizon_px=horizon_px)
    context["axis"] = [
        {"x": i * DAY_PX, "mid": i * DAY_PX + DAY_PX // 2, "day": d, "weekend": d.weekday() >= 5}
        for i, d in enumerate(days)
    ]
    context["hour_ticks"] = [
        {"x": i * DAY_PX // 4, "label": f"{(i % 4) * 6:02d}"} for i in range(len(days) * 4) if i % 4
    ]
    context.update(
        {
            "horizon_px": horizon_px,
            "day_px": DAY_PX,
            "half_day_px": DAY_PX // 2,
            "row_px": ROW_PX,
            "bar_px": BAR_PX,
            "bar_y": (ROW_PX - BAR_PX) // 2,
            "text_y": (ROW_PX - BAR_PX) // 2 + BAR_PX - 6,
        }
    )
    return render_roster_view(request, roster, "web/rosters/timeline.html", context)
