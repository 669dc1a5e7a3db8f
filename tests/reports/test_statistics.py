"""Item analysis and evaluation summary, checked against numbers worked out by hand.

The fixture: a course of 1 lesson and 5 single-choice questions q1..q5 (plus 5 spare items in the
pool that a fixed seed leaves undrawn), every attempt draws
all 5 in file order (shuffle off), options a (wrong), b (right), c (wrong); pass mark 40 %.
Six learners answer once each (1 = right):

            chosen           q1 q2 q3 q4 q5   total T
    L1      b b c b b         1  1  0  1  1     4
    L2      b a b b b         1  0  1  1  1     4
    L3      b a a b b         1  0  0  1  1     3
    L4      b c b b c         1  0  1  1  0     3
    L5      b c b a c         1  0  1  0  0     2
    L6      b c b a a         1  0  1  0  0     2

A seventh learner opens an attempt and never submits it: it must not count.

Difficulty p = right / 6:  q1 6/6 = 1.000, q2 1/6 = 0.167, q3 4/6 = 0.667, q4 4/6 = 0.667,
q5 3/6 = 0.500.

Point-biserial, r = (M1 - M0) / s * sqrt(p q), on the rest score R = T - x (right answers on
the other four items; the service divides R by 4, which changes no correlation), s the
population standard deviation of R over the six attempts:

  q1: everyone right -> undefined (None).
  q2: R = 3,4,3,3,2,2; M1 = 3, M0 = 14/5 = 2.8; mean R = 17/6, s^2 = 51/6 - (17/6)^2 = 17/36;
      sqrt(pq) = sqrt(5/36); r = 0.2 * sqrt(5/17) = 0.108.
  q3: R = 4,3,3,2,1,1; right: L2 L4 L5 L6 -> M1 = 7/4 = 1.75; wrong: L1 L3 -> M0 = 3.5;
      mean R = 14/6, s^2 = 40/6 - (14/6)^2 = 11/9; sqrt(pq) = sqrt(2)/3;
      r = -1.75 * sqrt(2) / sqrt(11) = -0.746  -> negatively discriminating.
  q4: R = 3,3,2,2,2,2; M1 = 2.5, M0 = 2; s^2 = 34/6 - (14/6)^2 = 2/9; sqrt(pq) = sqrt(2)/3;
      r = 0.5 * 1 = 0.500.
  q5: R = 3,3,2,3,2,2; M1 = 8/3, M0 = 7/3; s^2 = 39/6 - 2.5^2 = 1/4; sqrt(pq) = 1/2;
      r = 1/3 = 0.333.

Upper-lower index: groups of round(0.27 * 6) = 2 by total: upper L1 L2 (T = 4), lower L5 L6
(T = 2). D = p(upper) - p(lower): q1 1 - 1 = 0, q2 0.5 - 0 = 0.5, q3 0.5 - 1 = -0.5,
q4 1 - 0 = 1, q5 1 - 0 = 1.

Flags (n = 6 >= 5): q1 too easy (p > 0.9), q2 too hard (p < 0.3), q3 negatively
discriminating (r < 0), q4 and q5 none.

Evaluations from L1, L2, L3 (objectives 1 and 2, then the standard items):

            obj1 obj2 relevant level knowledgeable bias_free minutes recommend comments
    L1        5    4     5       4        5           yes       30     yes     "Clear and useful."
    L2        4    3     3       4        4           no        45     yes     ""
    L3        4    2     4       5        5           yes       20     yes     "Too short."

Means: obj1 13/3 = 4.33, obj2 9/3 = 3.00, relevant 12/3 = 4.00, level 13/3 = 4.33,
knowledgeable 14/3 = 4.67, minutes 95/3 = 31.67; bias_free yes 2/3 = 66.7 %, recommend 100.0 %;
two comments (the empty one is not listed).
"""

from __future__ import annotations

import re

import pytest

from ce_platform.catalog import services as catalog
from ce_platform.extensions import db
from ce_platform.reports import services
from tests import factories
from tests.learning.conftest import finish_lessons, start
from tests.reports.conftest import SLUG, answers_choosing

KEYS = ("q1", "q2", "q3", "q4", "q5")
SPARES = tuple(f"spare-{n}" for n in range(1, 6))  # pooled, never drawn by the fixed seed
CHOICES = {
    "L1": "bbcbb",
    "L2": "babbb",
    "L3": "baabb",
    "L4": "bcbbc",
    "L5": "bcbac",
    "L6": "bcbaa",
}
EVALUATIONS = {
    "L1": dict(
        objective_1=5,
        objective_2=4,
        relevant=5,
        level=4,
        knowledgeable=5,
        bias_free="yes",
        minutes=30,
        recommend="yes",
        comments="Clear and useful.",
    ),
    "L2": dict(
        objective_1=4,
        objective_2=3,
        relevant=3,
        level=4,
        knowledgeable=4,
        bias_free="no",
        minutes=45,
        recommend="yes",
        comments="",
    ),
    "L3": dict(
        objective_1=4,
        objective_2=2,
        relevant=4,
        level=5,
        knowledgeable=5,
        bias_free="yes",
        minutes=20,
        recommend="yes",
        comments="Too short.",
    ),
}


@pytest.fixture
def graded(api, people, monkeypatch):
    factories.course(
        SLUG,
        lessons=1,
        questions=5,
        multiple=0,
        per_attempt=5,
        shuffle=False,
        reveal="after_each",
        max_attempts=0,
        passing_score=40,
    )
    factories.seed_drawing(monkeypatch, SLUG, *KEYS)  # the pool also holds five spare items
    for learner, picks in CHOICES.items():
        factories.user(f"{learner.lower()}@example.org", full_name=f"Learner {learner}")
        api.login(f"{learner.lower()}@example.org")
        assert api.post(f"/api/v1/courses/{SLUG}/enrollment").status_code == 201
        finish_lessons(api, SLUG, count=1)
        attempt = start(api, SLUG)
        assert [q["id"] for q in attempt["questions"]] == list(KEYS)
        sheet = answers_choosing(attempt["id"], dict(zip(KEYS, picks, strict=True)))
        result = api.post(f"/api/v1/quiz/attempts/{attempt['id']}/submit", json={"answers": sheet})
        assert result.status_code == 200, result.get_json()
        assert result.get_json()["score"] == 20 * picks.count("b")
        if learner in EVALUATIONS:
            response = api.post(
                f"/api/v1/courses/{SLUG}/evaluation",
                json={"answers": EVALUATIONS[learner], "attestation": True},
            )
            assert response.status_code == 201, response.get_json()
    factories.user("l7@example.org")
    api.login("l7@example.org")
    api.post(f"/api/v1/courses/{SLUG}/enrollment")
    finish_lessons(api, SLUG, count=1)
    start(api, SLUG)  # left open
    api.login("instructor@example.org")
    return api


def _late_learner_answers_all_wrong(api) -> None:
    """One more learner enrolls (in the current revision) and submits an attempt, all wrong."""
    factories.user("late@example.org")
    api.login("late@example.org")
    api.post(f"/api/v1/courses/{SLUG}/enrollment")
    finish_lessons(api, SLUG, count=1)
    attempt = start(api, SLUG)
    sheet = answers_choosing(attempt["id"], dict.fromkeys(KEYS, "a"))
    response = api.post(f"/api/v1/quiz/attempts/{attempt['id']}/submit", json={"answers": sheet})
    assert response.status_code == 200, response.get_json()


def test_item_difficulty_discrimination_and_flags_match_the_hand_computation(graded):
    response = graded.get(f"/api/v1/reports/courses/{SLUG}/item-analysis")
    assert response.status_code == 200
    items = {q["key"]: q for q in response.get_json()["questions"]}
    assert list(items) == [*KEYS, *SPARES]
    assert [items[key]["drawn"] for key in SPARES] == [0] * 5
    items = {key: items[key] for key in KEYS}
    assert {k: q["drawn"] for k, q in items.items()} == dict.fromkeys(KEYS, 6)
    assert {k: q["correct"] for k, q in items.items()} == {
        "q1": 6,
        "q2": 1,
        "q3": 4,
        "q4": 4,
        "q5": 3,
    }
    assert {k: q["difficulty"] for k, q in items.items()} == {
        "q1": 1.0,
        "q2": 0.167,
        "q3": 0.667,
        "q4": 0.667,
        "q5": 0.5,
    }
    assert {k: q["point_biserial"] for k, q in items.items()} == {
        "q1": None,
        "q2": 0.108,
        "q3": -0.746,
        "q4": 0.5,
        "q5": 0.333,
    }
    assert {k: q["upper_lower"] for k, q in items.items()} == {
        "q1": 0.0,
        "q2": 0.5,
        "q3": -0.5,
        "q4": 1.0,
        "q5": 1.0,
    }
    assert {k: q["flags"] for k, q in items.items()} == {
        "q1": ["too_easy"],
        "q2": ["too_hard"],
        "q3": ["negative_discrimination"],
        "q4": [],
        "q5": [],
    }


def test_choice_distribution_counts_each_option_with_its_text(graded):
    items = {
        q["key"]: q
        for q in graded.get(f"/api/v1/reports/courses/{SLUG}/item-analysis").get_json()["questions"]
    }
    # q2: a by L2 L3, b by L1, c by L4 L5 L6.
    assert [(o["id"], o["correct"], o["chosen"], o["percent"]) for o in items["q2"]["options"]] == [
        ("a", False, 2, 33.3),
        ("b", True, 1, 16.7),
        ("c", False, 3, 50.0),
    ]
    assert "Wrong answer 2a" in items["q2"]["options"][0]["html"]
    assert "Right answer 2" in items["q2"]["options"][1]["html"]
    # q5: a by L6, b by L1 L2 L3, c by L4 L5.
    assert [o["chosen"] for o in items["q5"]["options"]] == [1, 3, 2]


def test_point_biserial_is_exact_before_rounding(graded):
    course = catalog.get_course(db.session, SLUG)
    items = {item.key: item for item in services.item_analysis(db.session, course)}
    assert items["q3"].point_biserial == pytest.approx(-1.75 * (2 / 11) ** 0.5)
    assert items["q2"].point_biserial == pytest.approx(0.2 * (5 / 17) ** 0.5)
    assert items["q5"].point_biserial == pytest.approx(1 / 3)


def test_item_analysis_page_flags_the_problem_questions(client, auth, graded):
    auth.login("instructor@example.org")
    html = client.get(f"/reports/courses/{SLUG}/item-analysis").get_data(as_text=True)
    assert "Too easy" in html and "Too hard" in html and "Negatively discriminating" in html
    assert "-0.746" in html
    assert html.count("<h1>") == 1


def test_evaluation_means_match_the_hand_computation(graded):
    response = graded.get(f"/api/v1/reports/courses/{SLUG}/evaluations")
    assert response.status_code == 200
    body = response.get_json()
    assert body["count"] == 3
    assert {r["id"]: r["mean"] for r in body["ratings"]} == {
        "objective_1": 4.33,
        "objective_2": 3.0,
        "relevant": 4.0,
        "level": 4.33,
        "knowledgeable": 4.67,
    }
    assert body["ratings"][1]["distribution"] == {"1": 0, "2": 1, "3": 1, "4": 1, "5": 0}
    assert {c["id"]: c["percent_yes"] for c in body["choices"]} == {
        "bias_free": 66.7,
        "recommend": 100.0,
    }
    assert {c["id"]: c["counts"] for c in body["choices"]}["bias_free"] == {"yes": 2, "no": 1}
    assert body["numbers"] == [
        {
            "id": "minutes",
            "prompt": "How many minutes did the course take you?",
            "responses": 3,
            "mean": 31.67,
        }
    ]
    assert [c["text"] for c in body["comments"]] == ["Too short.", "Clear and useful."]
    assert all(c["revision"] == 1 and c["date"] for c in body["comments"])


def test_evaluation_page_shows_means_and_comments(client, auth, graded):
    auth.login("instructor@example.org")
    html = client.get(f"/reports/courses/{SLUG}/evaluations").get_data(as_text=True)
    assert "The course met this objective: Describe the first thing." in html
    assert "4.33" in html and "4.67" in html and "31.67" in html and "66.7%" in html
    assert "Clear and useful." in html and "Too short." in html


def test_questions_are_grouped_by_key_across_revisions(graded):
    """A learner on revision 2 (same quiz, new lesson text) adds to the same questions."""
    factories.course(
        SLUG,
        lessons=1,
        questions=5,
        multiple=0,
        per_attempt=5,
        shuffle=False,
        reveal="after_each",
        max_attempts=0,
        passing_score=40,
        lesson_body="Revised lesson text.",
    )
    _late_learner_answers_all_wrong(graded)

    course = catalog.get_course(db.session, SLUG)
    assert course.current_revision.number == 2
    items = {item.key: item for item in services.item_analysis(db.session, course)}
    assert list(items) == [*KEYS, *SPARES]
    assert {k: (items[k].drawn, items[k].correct) for k in KEYS} == {
        "q1": (7, 6),
        "q2": (7, 1),
        "q3": (7, 4),
        "q4": (7, 4),
        "q5": (7, 3),
    }
    assert [o.chosen for o in items["q1"].options] == [1, 6, 0]


def test_item_analysis_is_reused_until_another_attempt_is_submitted(graded, statements):
    course = catalog.get_course(db.session, SLUG)
    first = services.item_analysis(db.session, course)
    statements.clear()
    again = services.item_analysis(db.session, course)
    assert again is first
    assert len(statements) == 1 and "count(" in statements[0].lower()  # the attempts' state

    _late_learner_answers_all_wrong(graded)
    after = services.item_analysis(db.session, course)
    assert [i.drawn for i in after if i.key in KEYS] == [
        i.drawn + 1 for i in first if i.key in KEYS
    ]


def test_item_analysis_groups_questions_by_the_objective_they_measure(client, auth, graded):
    body = graded.get(f"/api/v1/reports/courses/{SLUG}/item-analysis").get_json()
    assert body["objectives"] == [
        {
            "number": 1,
            "objective": "Describe the first thing.",
            "questions": ["q1", "q3", "q5", "spare-2", "spare-4"],
        },
        {
            "number": 2,
            "objective": "Identify the second thing.",
            "questions": ["q2", "q4", "spare-1", "spare-3", "spare-5"],
        },
    ]
    assert {q["key"]: q["objectives"] for q in body["questions"]}["q2"] == [2]

    auth.login("instructor@example.org")
    html = client.get(f"/reports/courses/{SLUG}/item-analysis").get_data(as_text=True)
    first = html.index("<caption>Objective 1: Describe the first thing.</caption>")
    second = html.index("<caption>Objective 2: Identify the second thing.</caption>")
    assert first < html.index('href="#q-q3"') < second < html.index('href="#q-q4"')


def test_item_analysis_page_plots_difficulty_against_discrimination(client, auth, graded):
    auth.login("instructor@example.org")
    html = client.get(f"/reports/courses/{SLUG}/item-analysis").get_data(as_text=True)
    plot = re.search(r'<svg[^>]*aria-labelledby="difficulty-plot-title.*?</svg>', html, re.S)
    assert plot and 'role="img"' in plot.group(0)
    items = graded.get(f"/api/v1/reports/courses/{SLUG}/item-analysis").get_json()["questions"]
    plotted = [q for q in items if q["difficulty"] is not None and q["point_biserial"] is not None]
    assert plotted and plot.group(0).count("<circle") == len(plotted)
    assert "-0.746" in html.split("Plotted questions", 1)[1].split("</table>", 1)[0]


def test_evaluation_page_charts_each_rating_distribution(client, auth, graded):
    auth.login("instructor@example.org")
    html = client.get(f"/reports/courses/{SLUG}/evaluations").get_data(as_text=True)
    chart = re.search(r'<svg[^>]*aria-labelledby="rating-objective_2-title.*?</svg>', html, re.S)
    assert chart
    desc = re.search(r"<desc[^>]*>(.*?)</desc>", chart.group(0)).group(1)
    assert desc == "1: 0 answers; 2: 1 answers; 3: 1 answers; 4: 1 answers; 5: 0 answers"
    assert html.count('role="img"') == 5
