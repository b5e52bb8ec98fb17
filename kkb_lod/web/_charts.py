"""Charts and maps drawn on the server as SVG geometry: pure functions, no I/O.

Why on the server: a page must be readable without JavaScript and without any external request
(no tile server, no CDN), and our CSP forbids inline styles, so the templates draw these shapes as
SVG elements whose positions are computed here. The maps draw the units' boundaries (GeoSPARQL WKT
from the store, projected equirectangularly with x scaled by cos(latitude), rounded to the pixel
and without repeated points, so a page stays small), the centroids of units without a boundary,
a light graticule and a scale bar; every unit is also named as text next to it (the fallback a
screen reader, a text browser or a printed page reads).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace

from kkb_lod.web._results import NUMERIC_TYPES, compact

#: Datatypes whose values a chart may plot (compact names, as the results table shows them).
NUMERIC = frozenset(compact(t) for t in NUMERIC_TYPES)
#: Most bars a chart draws; the rest are named in the chart's caption, never silently dropped.
MAX_BARS = 40
KM_PER_DEGREE = 111.32  # at the equator; longitude degrees shrink with cos(latitude)


@dataclass(frozen=True)
class Bar:
    """One bar: its label, value, link, and geometry in the chart's viewBox."""

    label: str
    value: float
    href: str | None
    y: float
    width: float

    @property
    def value_text(self) -> str:
        """The value as people write it: no ``.0`` on whole numbers, thousands separated."""
        return f"{self.value:,.0f}" if self.value == int(self.value) else f"{self.value:,.2f}"


@dataclass(frozen=True)
class Chart:
    """Horizontal bars in a ``width`` × ``height`` viewBox, one per ``row`` pixels; bars start
    at ``left``."""

    width: int
    height: int
    left: int
    row: int

    @property
    def bar_height(self) -> float:
        return self.row * 0.7


@dataclass(frozen=True)
class BarChart(Chart):
    """A bar chart: one bar per item."""

    bars: tuple[Bar, ...]
    omitted: int  # bars beyond MAX_BARS, said in the caption


def bar_chart(items: Iterable[tuple[str, float, str | None]], width: int = 520, row: int = 26) -> BarChart:
    """Bars for (label, value, link) items, scaled to the largest value, in the given order."""
    items = list(items)
    shown, omitted = items[:MAX_BARS], max(0, len(items) - MAX_BARS)
    longest = max((len(label) for label, _, _ in shown), default=0)
    left = min(max(60, int(longest * 7.2) + 12), width // 2)
    top = max((value for _, value, _ in shown), default=0) or 1
    room = width - left - 60  # space for the value printed after the longest bar
    bars = tuple(
        Bar(label, value, href, y=i * row, width=max(0.0, value) / top * room)
        for i, (label, value, href) in enumerate(shown)
    )
    return BarChart(width, max(row, len(bars) * row), left, row, bars, omitted)


@dataclass(frozen=True)
class Segment:
    """One series' part of a stacked bar: which series (its position), its value and geometry."""

    series: int
    value: int
    x: float
    width: float


@dataclass(frozen=True)
class Stack:
    """One stacked bar (a year): its label, total and segments, at ``y`` in the viewBox."""

    label: str
    total: int
    y: float
    segments: tuple[Segment, ...]
    end: float  # where the last segment ends: the total is printed after it


@dataclass(frozen=True)
class StackedChart(Chart):
    """Stacked bars, one per row of a table; ``series`` names the segments in their order (the
    legend)."""

    stacks: tuple[Stack, ...]
    series: tuple[str, ...]


def stacked_chart(
    rows: Iterable[tuple[str, Sequence[int]]], series: Sequence[str], width: int = 520, row: int = 30
) -> StackedChart:
    """Stacked bars for (label, counts per series) rows, scaled to the largest total, in the
    given order. Zero counts draw no segment; every count is also in the table that goes with
    the chart (the template's fallback), so a segment too thin to see is never lost."""
    rows = [(label, list(counts)) for label, counts in rows]
    if any(len(counts) != len(series) for _, counts in rows):
        raise ValueError("every row needs one count per series")
    left = min(max(48, max((len(label) for label, _ in rows), default=0) * 8 + 12), width // 2)
    top = max((sum(counts) for _, counts in rows), default=0) or 1
    room = width - left - 48  # space for the total printed after the longest bar
    stacks = []
    for i, (label, counts) in enumerate(rows):
        x, segments = float(left), []
        for n, value in enumerate(counts):
            if value > 0:
                segments.append(Segment(n, value, round(x, 1), round(value / top * room, 1)))
                x += value / top * room
        stacks.append(Stack(label, sum(counts), i * row, tuple(segments), round(x, 1)))
    return StackedChart(width, max(row, len(stacks) * row), left, row, tuple(stacks), tuple(series))


def chart_of_results(columns: Sequence[str], rows: Sequence[Sequence[object]]) -> BarChart | None:
    """A chart of a SELECT answer when it has a numeric column: its first numeric column against
    its first other column (or the row number). ``rows`` hold cells with ``text``, ``href`` and
    ``note`` (the compact datatype) as :func:`kkb_lod.web._results.cells` makes them."""
    numeric = [bool(rows) and all(_number(r[i]) is not None for r in rows) for i in range(len(columns))]
    if not any(numeric):
        return None
    values = numeric.index(True)
    others = [i for i in range(len(columns)) if not numeric[i]]
    linked = [i for i in others if all(getattr(r[i], "href", None) for r in rows)]
    labels = next((i for i in others if i not in linked), others[0] if others else None)
    links = linked[0] if linked else None
    return bar_chart(
        (
            (getattr(row[labels], "text", "") if labels is not None else str(n + 1)) or "—",
            _number(row[values]) or 0.0,
            getattr(row[links], "href", None) if links is not None else None,
        )
        for n, row in enumerate(rows)
    )


def _number(cell: object) -> float | None:
    if cell is None or getattr(cell, "note", "") not in NUMERIC:
        return None
    try:
        value = float(getattr(cell, "text", ""))
    except ValueError:
        return None
    return value if math.isfinite(value) else None


@dataclass(frozen=True)
class Point:
    """A place to draw: label, position, link, and its role (which sets its look and legend)."""

    label: str
    lat: float
    long: float
    href: str | None = None
    role: str = "other"  # "here" (the page's subject), "kkb", "regency", "inside", "other"
    x: float = 0.0
    y: float = 0.0


Ring = tuple[tuple[float, float], ...]
#: Drawing order of boundaries: fills first (the page's own units over the others, the KKB on
#: top), then the borders of kecamatan and regencies.
AREA_ORDER = {"other": 0, "inside": 1, "kkb": 2, "outline": 3}
#: Boundary points closer than this (px, x plus y) to the last one kept are dropped.
MIN_STEP = 1.0


@dataclass(frozen=True)
class Area:
    """A unit's boundary to draw: label, rings (lon, lat: exteriors and holes alike, drawn
    even-odd), link, role (``other``, ``inside``, ``kkb``: filled; ``outline``: a border only) and
    whether it is the page's own place (outlined on top); ``d`` is its SVG path once projected."""

    label: str
    rings: tuple[Ring, ...]
    href: str | None = None
    role: str = "other"
    here: bool = False
    d: str = ""


def rings_of_wkt(wkt: str) -> tuple[Ring, ...]:
    """The rings of a WKT POLYGON or MULTIPOLYGON (CRS84: ``lon lat``), in order; () for
    anything else (a point, an empty or malformed literal draws nothing rather than failing)."""
    if not re.match(r"\s*(MULTI)?POLYGON\s*\(", wkt, re.IGNORECASE):
        return ()
    rings = []
    for body in re.findall(r"\(([^()]*)\)", wkt):
        try:
            ring = tuple((float(x), float(y)) for x, y in (p.split() for p in body.split(",")))
        except ValueError:
            return ()
        if len(ring) >= 4:
            rings.append(ring)
    return tuple(rings)


@dataclass(frozen=True)
class PointMap:
    """Boundaries and points projected into a ``width`` × ``height`` viewBox, with graticule
    lines and a scale."""

    points: tuple[Point, ...]
    width: int
    height: int
    meridians: tuple[tuple[float, str], ...]  # (x, label)
    parallels: tuple[tuple[float, str], ...]  # (y, label)
    scale_px: float
    scale_label: str  # the distance the scale bar stands for ("10 km")
    areas: tuple[Area, ...] = ()

    def of_role(self, role: str) -> tuple[Point, ...]:
        return tuple(p for p in self.points if p.role == role)

    def areas_of(self, role: str) -> tuple[Area, ...]:
        return tuple(a for a in self.areas if a.role == role)

    @property
    def here(self) -> tuple[Area, ...]:
        """The boundaries of the page's own place (outlined on top of everything)."""
        return tuple(a for a in self.areas if a.here)

    def has(self, role: str) -> bool:
        """Whether anything of ``role`` is drawn (``here`` counts both ways), for the legend."""
        if role == "here":
            return bool(self.here or self.of_role("here"))
        return bool(self.areas_of(role) or self.of_role(role))


def point_map(
    points: Iterable[Point], size: int = 560, pad: int = 24, areas: Iterable[Area] = ()
) -> PointMap | None:
    """Project boundaries and points equirectangularly (x scaled by cos of the mean latitude),
    north up, into a box whose longer side is ``size``.

    Fine at the scale of a regency or a province; boundaries come first (in :data:`AREA_ORDER`),
    then points, those of a role after the others so that the page's subject and the KKB are on
    top.
    """
    points, areas = list(points), [a for a in areas if a.rings]
    if not points and not areas:
        return None
    vertices = [xy for a in areas for ring in a.rings for xy in ring]
    lats = [p.lat for p in points] + [lat for _, lat in vertices]
    longs = [p.long for p in points] + [long for long, _ in vertices]
    span_lat = max(max(lats) - min(lats), 0.02)
    squeeze = math.cos(math.radians(sum(lats) / len(lats)))
    span_x = max((max(longs) - min(longs)) * squeeze, 0.02)
    scale = (size - 2 * pad) / max(span_x, span_lat)
    mid_long, mid_lat = (max(longs) + min(longs)) / 2, (max(lats) + min(lats)) / 2
    width = int(max(span_x * scale + 2 * pad, 240))  # room for the scale bar and tick labels
    height = int(span_lat * scale + 2 * pad + 20)

    def x(long: float) -> float:
        return round(width / 2 + (long - mid_long) * squeeze * scale, 1)

    def y(lat: float) -> float:
        return round((height - 20) / 2 - (lat - mid_lat) * scale, 1)

    order = {"other": 0, "inside": 1, "regency": 2, "kkb": 3, "here": 4}
    placed = tuple(
        sorted(
            (Point(p.label, p.lat, p.long, p.href, p.role, x(p.long), y(p.lat)) for p in points),
            key=lambda p: (order.get(p.role, 0), p.label),
        )
    )
    step = _step(max(span_lat, span_x / squeeze) / 3)
    half_w, half_h = width / 2 / (squeeze * scale), (height - 20) / 2 / scale
    meridians = tuple(
        (x(v), _degrees(v, "E", "W")) for v in _ticks(mid_long - half_w, mid_long + half_w, step)
    )
    parallels = tuple((y(v), _degrees(v, "N", "S")) for v in _ticks(mid_lat - half_h, mid_lat + half_h, step))
    km_per_px = KM_PER_DEGREE / scale  # after the x squeeze, 1 px is the same distance both ways
    km = _step(km_per_px * width / 5)
    label = f"{km:g} km" if km >= 1 else f"{km * 1000:g} m"
    drawn = tuple(
        sorted(
            (d for d in (replace(a, d=_path(a.rings, x, y)) for a in areas) if d.d),
            key=lambda a: (AREA_ORDER.get(a.role, 0), a.label),
        )
    )
    return PointMap(placed, width, height, meridians, parallels, round(km / km_per_px, 1), label, drawn)


def _path(rings: Iterable[Ring], x: Callable[[float], float], y: Callable[[float], float]) -> str:
    """SVG path data of projected rings (``M x yL x y x y…Z`` each), rounded to the pixel and
    thinned to points at least :data:`MIN_STEP` px apart; a ring that shrinks below three points
    is left out."""
    parts = []
    for ring in rings:
        kept: list[tuple[int, int]] = []
        for long, lat in ring:
            px, py = round(x(long)), round(y(lat))
            if not kept or abs(px - kept[-1][0]) + abs(py - kept[-1][1]) >= MIN_STEP:
                kept.append((px, py))
        if len(kept) > 1 and kept[-1] == kept[0]:
            kept.pop()
        if len(kept) >= 3:
            first, *rest = (f"{_n(px)} {_n(py)}" for px, py in kept)
            parts.append(f"M{first}L{' '.join(rest)}Z")
    return "".join(parts)


def _n(value: float) -> str:
    """A boundary coordinate, to the pixel (a path's points are ≥ :data:`MIN_STEP` apart)."""
    return str(round(value))


def _step(rough: float) -> float:
    """A round number (1, 2 or 5 times a power of ten) close to ``rough``."""
    power = 10 ** math.floor(math.log10(rough))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= rough)


def _ticks(low: float, high: float, step: float) -> list[float]:
    first = math.ceil(low / step) * step
    return [round(first + i * step, 6) for i in range(int((high - first) / step) + 1)]


def _degrees(value: float, positive: str, negative: str) -> str:
    text = f"{abs(value):.2f}".rstrip("0").rstrip(".")
    return f"{text}°{positive if value >= 0 else negative}"
