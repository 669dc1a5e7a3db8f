"""What the browser journeys share: the answer key (read from the server's database), axe."""

from __future__ import annotations

import json

from axe_playwright_python.sync_playwright import Axe

_axe = Axe()


def assert_accessible(page, what: str) -> None:
    """Run axe-core in the page; no serious or critical violation is acceptable."""
    results = _axe.run(page)
    bad = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not bad, f"{what}: " + "; ".join(bad)


def answer_key(server, attempt_id: int) -> dict[str, set[str]]:
    """For each option token of an attempt: whether it is correct (question key -> tokens)."""
    (drawn,) = server.query("SELECT drawn FROM quiz_attempts WHERE id = ?", attempt_id)[0]
    key: dict[str, set[str]] = {}
    for item in json.loads(drawn):
        (options,) = server.query(
            "SELECT options FROM questions WHERE id = ?", item["question_id"]
        )[0]
        correct = {o["id"] for o in json.loads(options) if o["correct"]}
        key[item["key"]] = {o["token"] for o in item["options"] if o["id"] in correct}
    return key


def attempt_id_on(page) -> int:
    action = page.locator("form.quiz").get_attribute("action")
    return int(action.rstrip("/").split("/")[-2])
