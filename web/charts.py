"""Server-rendered SVG charts: drawn from numbers the page already has, so they work with the network
cut and need no JavaScript. Each chart carries a <title> and <desc> for screen readers, and every series
is told apart by its line style and a legend as well as by colour."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 44, 12, 12, 34


@dataclass(frozen=True)
class Line:
    name: str
    values: Sequence[float | None]
    style: str = "solid"  # solid, dashed, dotted: the style class, so colour is never the only signal


@dataclass(frozen=True)
class Band:
    name: str
    lower: Sequence[float | None]
    upper: Sequence[float | None]


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def _frame(width: int, height: int, top: float, labels: Sequence[str], title: str, desc: str, ident: str):
    inner_w, inner_h = width - PAD_LEFT - PAD_RIGHT, height - PAD_TOP - PAD_BOTTOM
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-labelledby="{ident}-t {ident}-d"'
        f' preserveAspectRatio="xMidYMid meet">',
        f'<title id="{ident}-t">{escape(title)}</title><desc id="{ident}-d">{escape(desc)}</desc>',
    ]
    for i in range(5):
        value = top * i / 4
        y = PAD_TOP + inner_h - inner_h * i / 4
        parts.append(
            f'<line class="gridline" x1="{PAD_LEFT}" x2="{width - PAD_RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>'
        )
        parts.append(
            f'<text class="tick" x="{PAD_LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{value:g}</text>'
        )
    every = max(1, math.ceil(len(labels) / 8))
    for i, label in enumerate(labels):
        if i % every == 0:
            x = PAD_LEFT + inner_w * (i + 0.5) / max(len(labels), 1)
            parts.append(
                f'<text class="tick" x="{x:.1f}" y="{height - PAD_BOTTOM + 16}" text-anchor="middle">'
                f"{escape(label)}</text>"
            )
    return parts, inner_w, inner_h


def line_chart(
    *,
    ident: str,
    title: str,
    labels: Sequence[str],
    lines: Sequence[Line],
    band: Band | None = None,
    width: int = 640,
    height: int = 220,
    marker_at: int | None = None,
) -> SafeString:
    """Lines over the same x labels, an optional interval band, and an optional vertical "now" marker."""
    values = [v for line in lines for v in line.values if v is not None]
    if band is not None:
        values += [v for v in band.upper if v is not None]
    top = _nice_max(max(values, default=0))
    desc = "; ".join(f"{line.name}: {sum(v is not None for v in line.values)} points" for line in lines)
    parts, inner_w, inner_h = _frame(width, height, top, labels, title, desc, ident)
    n = max(len(labels), 1)

    def point(i: int, v: float) -> str:
        return f"{PAD_LEFT + inner_w * (i + 0.5) / n:.1f},{PAD_TOP + inner_h - inner_h * v / top:.1f}"

    if band is not None:
        upper = [(i, v) for i, v in enumerate(band.upper) if v is not None]
        lower = [(i, v) for i, v in enumerate(band.lower) if v is not None]
        if upper and lower:
            outline = [point(i, v) for i, v in upper] + [point(i, v) for i, v in reversed(lower)]
            parts.append(
                f'<polygon class="band" points="{" ".join(outline)}">'
                f"<title>{escape(band.name)}</title></polygon>"
            )
    for k, line in enumerate(lines):
        segment: list[str] = []
        segments: list[list[str]] = []
        for i, v in enumerate(line.values):
            if v is None:
                if segment:
                    segments.append(segment)
                segment = []
            else:
                segment.append(point(i, v))
        if segment:
            segments.append(segment)
        for seg in segments:
            d = "M" + " L".join(seg) if len(seg) > 1 else f"M{seg[0]} l0.1,0"
            parts.append(
                f'<path class="series s{k} {line.style}" d="{d}"><title>{escape(line.name)}</title></path>'
            )
    if marker_at is not None and 0 <= marker_at < n:
        x = PAD_LEFT + inner_w * (marker_at + 0.5) / n
        parts.append(f'<line class="now" x1="{x:.1f}" x2="{x:.1f}" y1="{PAD_TOP}" y2="{PAD_TOP + inner_h}"/>')
    parts.append("</svg>")
    legend = "".join(
        f'<li><svg width="28" height="10" aria-hidden="true">'
        f'<line class="series s{k} {line.style}" x1="0" x2="28" y1="5" y2="5"/></svg>'
        f" {escape(line.name)}</li>"
        for k, line in enumerate(lines)
    )
    if band is not None:
        legend += f'<li><span class="band-key" aria-hidden="true"></span> {escape(band.name)}</li>'
    return mark_safe("".join(parts) + f'<ul class="chart-legend">{legend}</ul>')  # noqa: S308 - escaped above


def hbar_chart(
    *,
    ident: str,
    title: str,
    labels: Sequence[str],
    groups: Sequence[Line],
    top: float | None = None,
    unit: str = "",
    width: int = 640,
    label_width: int = 170,
) -> SafeString:
    """Horizontal grouped bars, one row per label (long names stay readable); each bar prints its value,
    and a missing value says "no data" instead of drawing nothing."""
    values = [v for g in groups for v in g.values if v is not None]
    top = top or _nice_max(max(values, default=0))
    bar_h, gap = 14, 10
    row_h = bar_h * len(groups) + gap
    height = PAD_TOP + row_h * len(labels) + 24
    inner_w = width - label_width - 60
    desc = "; ".join(
        f"{label}: "
        + ", ".join(
            f"{g.name} {'no data' if g.values[i] is None else f'{g.values[i]:g}{unit}'}" for g in groups
        )
        for i, label in enumerate(labels)
    )
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img"'
        f' aria-labelledby="{ident}-t {ident}-d">',
        f'<title id="{ident}-t">{escape(title)}</title><desc id="{ident}-d">{escape(desc)}</desc>',
    ]
    for i in range(5):
        x = label_width + inner_w * i / 4
        parts.append(f'<line class="gridline" x1="{x:.1f}" x2="{x:.1f}" y1="{PAD_TOP}" y2="{height - 20}"/>')
        parts.append(
            f'<text class="tick" x="{x:.1f}" y="{height - 6}" text-anchor="middle">'
            f"{top * i / 4:g}{escape(unit)}</text>"
        )
    for r, label in enumerate(labels):
        y0 = PAD_TOP + r * row_h
        parts.append(
            f'<text class="label" x="{label_width - 8}" y="{y0 + row_h / 2:.1f}" text-anchor="end"'
            f' dominant-baseline="middle">{escape(label)}</text>'
        )
        for k, group in enumerate(groups):
            v = group.values[r]
            y = y0 + k * bar_h
            if v is None:
                parts.append(
                    f'<text class="value" x="{label_width + 4}" y="{y + bar_h - 3}">'
                    f"{escape(group.name)}: no data</text>"
                )
                continue
            w = inner_w * min(v, top) / top
            parts.append(
                f'<rect class="bar s{k} {group.style}" x="{label_width}" y="{y}" width="{max(w, 1):.1f}"'
                f' height="{bar_h - 2}"><title>{escape(group.name)} {escape(label)}: {v:g}{escape(unit)}'
                "</title></rect>"
            )
            parts.append(
                f'<text class="value" x="{label_width + w + 4:.1f}" y="{y + bar_h - 3}">'
                f"{v:g}{escape(unit)}</text>"
            )
    parts.append("</svg>")
    legend = "".join(
        f'<li><span class="bar-key s{k} {g.style}" aria-hidden="true"></span> {escape(g.name)}</li>'
        for k, g in enumerate(groups)
    )
    return mark_safe("".join(parts) + f'<ul class="chart-legend">{legend}</ul>')  # noqa: S308 - escaped above
