"""Catalog text search over titles, summaries and objectives, its cached anonymous pages, and
the signed-in learner's badges on the cards."""

from __future__ import annotations

import re

import pytest

from tests import factories
from tests.learning.conftest import evaluation_answers, finish_lessons, start, submit


def _course(slug: str, title: str, *, objective: str | None = None, summary: str | None = None):
    files = factories.course_files(title=title)
    text = files["course.md"].decode()
    if objective:
        text = text.replace("Describe the first thing.", objective)
    if summary:
        text = text.replace("A short course used by the tests.", summary)
    files["course.md"] = text.encode()
    return factories.course(slug, files=files)


def _titles(html: str) -> list[str]:
    return re.findall(r'<h2><a href="/courses/[^"]+">([^<]+)</a></h2>', html)


@pytest.fixture
def shelf():
    _course("ketamine", "Ketamine in Practice", objective="Recognise dissociation at high doses.")
    _course("mdma", "MDMA Basics", summary="Serotonin release and 100% safe-looking myths.")
    _course("ethics", "Ethics of Touch", objective="Name the limits of touch in ketamine sessions.")


def test_search_matches_titles_summaries_and_objectives(client, shelf):
    assert _titles(client.get("/?q=ketamine").get_data(as_text=True)) == [
        "Ethics of Touch",  # an objective
        "Ketamine in Practice",  # the title
    ]
    assert _titles(client.get("/?q=SEROTONIN").get_data(as_text=True)) == ["MDMA Basics"]
    assert _titles(client.get("/?q=dissociation").get_data(as_text=True)) == [
        "Ketamine in Practice"
    ]


def test_every_word_of_a_search_must_match(client, shelf):
    assert _titles(client.get("/?q=ketamine+touch").get_data(as_text=True)) == ["Ethics of Touch"]
    html = client.get("/?q=ketamine+nothing-like-this").get_data(as_text=True)
    assert _titles(html) == [] and "No course matches this search" in html


def test_search_wildcards_are_taken_literally(client, shelf):
    assert _titles(client.get("/?q=%25").get_data(as_text=True)) == ["MDMA Basics"]
    assert _titles(client.get("/?q=_").get_data(as_text=True)) == []


def test_search_box_keeps_the_query_and_filters_fold_away(client, shelf):
    html = client.get("/?q=ketamine").get_data(as_text=True)
    assert 'role="search"' in html
    assert re.search(r'<input type="search" id="q" name="q" value="ketamine"', html)
    assert '<details class="filter-details">' in html
    assert '<details class="filter-details" open>' in client.get("/?level=introductory").get_data(
        as_text=True
    )


@pytest.fixture
def cached(app, monkeypatch):
    monkeypatch.setitem(app.config, "CATALOG_CACHE_SECONDS", 30)
    app.extensions.get("ce_caches", {}).pop("catalog-pages", None)
    yield
    app.extensions.get("ce_caches", {}).pop("catalog-pages", None)


def test_cached_anonymous_pages_are_kept_per_search(client, shelf, cached, statements):
    everything = client.get("/").get_data(as_text=True)
    found = client.get("/?q=serotonin").get_data(as_text=True)
    assert len(_titles(everything)) == 3 and _titles(found) == ["MDMA Basics"]
    statements.clear()
    # The same search written differently is the same page, from memory.
    assert _titles(client.get("/?q=++Serotonin+").get_data(as_text=True)) == ["MDMA Basics"]
    assert len(_titles(client.get("/").get_data(as_text=True))) == 3
    assert statements == []


def test_signed_in_learner_sees_enrolled_in_progress_and_completed_badges(client, auth, api):
    factories.user("learner@example.org")
    for slug, title in (("a", "Alpha"), ("b", "Bravo"), ("c", "Charlie"), ("d", "Delta")):
        _course(slug, title)
    api.login()
    for slug in "abc":
        assert api.post(f"/api/v1/courses/{slug}/enrollment").status_code == 201
    finish_lessons(api, "b", count=1)
    finish_lessons(api, "c")
    attempt = start(api, "c")
    assert submit(api, attempt["id"]).get_json()["passed"] is True
    body = {"answers": evaluation_answers(), "attestation": True}
    assert api.post("/api/v1/courses/c/evaluation", json=body).status_code == 201

    auth.login()
    html = client.get("/").get_data(as_text=True)
    cards = dict(
        re.findall(
            r'<h2><a href="/courses/[^"]+">([^<]+)</a></h2>\s*'
            r'(?:<p class="badge[^"]*">([^<]+)</p>)?',
            html,
        )
    )
    assert cards == {
        "Alpha": "Enrolled",
        "Bravo": "In progress",
        "Charlie": "Completed",
        "Delta": "",
    }
    auth.logout()
    assert 'class="badge' not in client.get("/").get_data(as_text=True)
