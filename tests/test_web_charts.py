"""The pure geometry of charts and maps (:mod:`kkb_lod.web._charts`)."""

from __future__ import annotations

import re

import pytest

from kkb_lod.web._charts import (
    MAX_BARS,
    Area,
    Point,
    bar_chart,
    chart_of_results,
    point_map,
    rings_of_wkt,
    stacked_chart,
)
from kkb_lod.web._results import Cell


def test_bars_are_scaled_to_the_largest_value_in_order() -> None:
    chart = bar_chart([("Dusun Selatan", 3, "/id/district/62.04.06"), ("Jenamas", 2, None), ("Nol", 0, None)])
    widths = [b.width for b in chart.bars]
    assert widths[0] == pytest.approx(chart.width - chart.left - 60)  # the largest fills the room
    assert widths[1] == pytest.approx(widths[0] * 2 / 3)
    assert widths[2] == 0
    assert [b.y for b in chart.bars] == [0, chart.row, 2 * chart.row]
    assert chart.height == 3 * chart.row and chart.bars[0].href == "/id/district/62.04.06"
    assert [b.value_text for b in chart.bars] == ["3", "2", "0"]


def test_long_charts_say_what_they_leave_out() -> None:
    chart = bar_chart((f"row {i}", float(i), None) for i in range(MAX_BARS + 7))
    assert len(chart.bars) == MAX_BARS and chart.omitted == 7


def test_value_text_keeps_fractions_and_separates_thousands() -> None:
    bars = bar_chart([("a", 12345.0, None), ("b", 0.5, None)]).bars
    assert [b.value_text for b in bars] == ["12,345", "0.50"]


def cells(*values: tuple[str, str | None, str]) -> list[Cell]:
    return [Cell(text, href, note) for text, href, note in values]


def test_a_chart_of_results_plots_the_first_numeric_column_by_the_first_label() -> None:
    rows = [
        cells(
            ("https://w3id.org/kkb/id/district/62.04.06", "/id/district/62.04.06", ""),
            ("Dusun Selatan", None, "@id"),
            ("3", None, "xsd:integer"),
        ),
        cells(
            ("https://w3id.org/kkb/id/district/62.04.01", "/id/district/62.04.01", ""),
            ("Jenamas", None, "@id"),
            ("2", None, "xsd:integer"),
        ),
    ]
    chart = chart_of_results(["kecamatan", "name", "kkbs"], rows)
    assert chart is not None
    assert [(b.label, b.value, b.href) for b in chart.bars] == [
        ("Dusun Selatan", 3.0, "/id/district/62.04.06"),
        ("Jenamas", 2.0, "/id/district/62.04.01"),
    ]


def test_no_chart_without_numbers() -> None:
    rows = [cells(("x", None, ""), ("12", None, ""))]  # "12" as a plain string is not a number
    assert chart_of_results(["a", "b"], rows) is None
    assert chart_of_results(["a"], []) is None
    assert chart_of_results(["n"], [[None]]) is None  # unbound is not a number either


def test_numbers_alone_are_charted_by_row_number() -> None:
    chart = chart_of_results(["n"], [cells(("5", None, "xsd:decimal")), cells(("NaN", None, "xsd:double"))])
    assert chart is None  # NaN cannot be drawn: no chart rather than a wrong one
    chart = chart_of_results(["n"], [cells(("5", None, "xsd:decimal")), cells(("1", None, "xsd:integer"))])
    assert chart is not None and [b.label for b in chart.bars] == ["1", "2"]


def test_maps_keep_north_up_and_east_right_with_the_subject_on_top() -> None:
    points = [
        Point("Kalahien", -1.598742, 114.718257, "/a", "here"),
        Point("Rantau Kujang", -2.375441, 114.935786, "/b", "kkb"),
        Point("Lehai", -2.166899, 114.909355, None, "other"),
    ]
    drawn = point_map(points)
    assert drawn is not None
    by_name = {p.label: p for p in drawn.points}
    assert by_name["Kalahien"].y < by_name["Lehai"].y < by_name["Rantau Kujang"].y  # north up
    assert by_name["Kalahien"].x < by_name["Lehai"].x < by_name["Rantau Kujang"].x  # east right
    assert [p.role for p in drawn.points] == ["other", "kkb", "here"]  # drawn last = on top
    for p in drawn.points:
        assert 0 <= p.x <= drawn.width and 0 <= p.y <= drawn.height - 20
    assert drawn.of_role("here") == (by_name["Kalahien"],)


def test_map_scale_and_graticule() -> None:
    drawn = point_map([Point("a", -1.5, 114.5), Point("b", -2.5, 115.0)])
    assert drawn is not None
    # one degree of latitude is 111 km: the bar's km per pixel matches the projection
    degree_px = (drawn.points[1].y - drawn.points[0].y) if drawn.points[0].label == "a" else 0
    km = float(drawn.scale_label.split()[0])
    assert drawn.scale_label.endswith(" km")
    assert km / drawn.scale_px == pytest.approx(111.32 / abs(degree_px), rel=0.02)
    assert any(label == "2°S" for _, label in drawn.parallels)
    assert any(label == "115°E" for _, label in drawn.meridians)


def test_a_single_point_still_makes_a_map() -> None:
    drawn = point_map([Point("only", -1.6, 114.7, None, "here")])
    assert drawn is not None and drawn.scale_label.endswith(("km", " m"))
    assert point_map([]) is None


def test_stacked_bars_lay_segments_end_to_end_scaled_to_the_largest_total() -> None:
    chart = stacked_chart([("2023", [1, 1, 0]), ("2024", [1, 2, 1])], ["Dasar", "Berkembang", "Mandiri"])
    room = chart.width - chart.left - 48
    first, second = chart.stacks
    assert [s.total for s in chart.stacks] == [2, 4] and [s.y for s in chart.stacks] == [0, chart.row]
    assert [(g.series, g.value) for g in first.segments] == [(0, 1), (1, 1)]  # no zero segment
    assert [(g.series, g.value) for g in second.segments] == [(0, 1), (1, 2), (2, 1)]
    assert second.end == pytest.approx(chart.left + room, abs=0.2)  # the largest fills the room
    assert first.end == pytest.approx(chart.left + room / 2, abs=0.2)
    for stack in chart.stacks:  # each segment starts where the one before ends
        x = chart.left
        for g in stack.segments:
            assert g.x == pytest.approx(x, abs=0.1)
            assert g.width == pytest.approx(g.value / 4 * room, abs=0.1)
            x += g.width
    assert chart.series == ("Dasar", "Berkembang", "Mandiri") and chart.height == 2 * chart.row


def test_a_stacked_chart_needs_a_count_per_series() -> None:
    with pytest.raises(ValueError, match="one count per series"):
        stacked_chart([("2024", [1, 2])], ["Dasar", "Berkembang", "Mandiri"])


def test_a_stacked_chart_of_zeros_draws_no_segment() -> None:
    chart = stacked_chart([("2024", [0, 0])], ["Dasar", "Berkembang"])
    assert chart.stacks[0].segments == () and chart.stacks[0].end == chart.left


# --- boundaries (GeoSPARQL WKT from the store) ----------------------------------------------------


def test_rings_of_wkt_read_polygons_multipolygons_and_holes() -> None:
    square = "(114 -2, 115 -2, 115 -1, 114 -1, 114 -2)"
    hole = "(114.2 -1.8, 114.2 -1.2, 114.8 -1.2, 114.2 -1.8)"
    assert rings_of_wkt(f"POLYGON ({square}, {hole})") == (
        ((114.0, -2.0), (115.0, -2.0), (115.0, -1.0), (114.0, -1.0), (114.0, -2.0)),
        ((114.2, -1.8), (114.2, -1.2), (114.8, -1.2), (114.2, -1.8)),
    )
    assert len(rings_of_wkt(f"MULTIPOLYGON (({square}), ({square}, {hole}))")) == 3
    for nothing in (
        "POINT (114 -2)",
        "",
        "POLYGON ((a b, c d, e f, a b))",
        "POLYGON ((114 -2, 115 -2, 114 -2))",
    ):
        assert rings_of_wkt(nothing) == (), nothing  # drawn as nothing, never an error


def test_boundaries_are_projected_north_up_rounded_and_drawn_under_the_page_outline() -> None:
    square = rings_of_wkt("POLYGON ((114 -2, 115 -2, 115 -1, 114 -1, 114 -2))")
    # a ring far smaller than a pixel collapses and is left out; a close repeated point too
    speck = rings_of_wkt("POLYGON ((114.5 -1.5, 114.50001 -1.5, 114.50001 -1.50001, 114.5 -1.5))")
    drawn = point_map(
        [Point("centroid only", -1.5, 114.5, None, "other")],
        areas=[
            Area("north", square, "/n", "kkb", here=True),
            Area("speck", speck, None, "other"),
            Area("border", square, None, "outline"),
            Area("empty", (), None, "other"),
        ],
    )
    assert drawn is not None
    assert [a.label for a in drawn.areas] == ["north", "border"]  # fills first, then borders
    (north,) = drawn.here
    assert re.fullmatch(r"M\d+ \d+L\d+ \d+ \d+ \d+ \d+ \d+Z", north.d), north.d  # whole pixels, closed by Z
    xs = [int(v) for v in re.findall(r"\d+", north.d)[0::2]]
    ys = [int(v) for v in re.findall(r"\d+", north.d)[1::2]]
    # the square's corners: (114,-2) bottom left, (115,-2) bottom right, (115,-1) top right
    assert xs[0] < xs[1] == xs[2] and ys[0] == ys[1] > ys[2]
    assert all(0 <= x <= drawn.width for x in xs) and all(0 <= y <= drawn.height - 20 for y in ys)
    assert drawn.has("here") and drawn.has("kkb") and drawn.has("other") and not drawn.has("inside")
    assert point_map([], areas=[Area("empty", (), None)]) is None
