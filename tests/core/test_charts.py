"""Server-side SVG charts: well-formed, labelled, escaped, and drawn to scale."""

import re
import xml.etree.ElementTree as ET

from ce_platform.core import charts

SVG = "{http://www.w3.org/2000/svg}"


def _parse(markup) -> ET.Element:
    return ET.fromstring(str(markup))


def test_a_chart_is_an_image_named_by_its_own_title_and_description():
    svg = _parse(charts.progress_chart("c1", "Hours", [("Ethics", 1, 2)]))
    assert svg.get("role") == "img"
    assert svg.get("aria-labelledby") == "c1-title c1-desc"
    assert svg.find(f"{SVG}title").get("id") == "c1-title"
    assert svg.find(f"{SVG}desc").text == "Ethics: 1 of 2 hours"


def test_progress_bars_are_drawn_in_proportion_to_the_requirement():
    svg = _parse(charts.progress_chart("c", "Hours", [("All CE", 10, 40), ("Ethics", 3, 6)]))
    widths = [float(r.get("width")) for r in svg.iter(f"{SVG}rect")]
    goal_total, done_total, goal_ethics, done_ethics = widths
    assert done_total / goal_total == 0.25
    assert goal_ethics / goal_total == 0.15
    assert round(done_ethics / goal_ethics, 2) == 0.5


def test_labels_are_escaped_so_no_markup_reaches_the_page():
    markup = str(charts.bar_chart("r", "<script>x</script>", [("<b>1</b>", 2)]))
    assert "<script>" not in markup and "<b>" not in markup
    assert "&lt;script&gt;" in markup
    _parse(markup)  # still well-formed


def test_scatter_points_sit_where_their_values_are():
    svg = _parse(
        charts.scatter_plot(
            "p",
            "Plot",
            [("q1", 0.5, 0.0), ("q2", 1.0, 1.0)],
            x_label="Difficulty",
            y_label="Discrimination",
            x_range=(0.0, 1.0),
            y_range=(-1.0, 1.0),
        )
    )
    frame = svg.find(f"{SVG}rect")
    left, top = float(frame.get("x")), float(frame.get("y"))
    w, h = float(frame.get("width")), float(frame.get("height"))
    (c1, c2) = [(float(c.get("cx")), float(c.get("cy"))) for c in svg.iter(f"{SVG}circle")]
    assert c1 == (left + w / 2, top + h / 2)
    assert c2 == (left + w, top)
    assert re.search(r"q1: Difficulty 0\.5, Discrimination 0", svg.find(f"{SVG}desc").text)
