"""Redocly CLI lints the generated document with the recommended rules: no errors, no warnings."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

TOOL = Path(__file__).resolve().parents[2] / "tools" / "openapi-lint"
REDOCLY = TOOL / "node_modules" / ".bin" / "redocly"


def test_redocly_recommended_lint_has_no_problems(client, tmp_path):
    if not REDOCLY.exists():
        message = f"{REDOCLY} is missing: run scripts/setup.sh test (npm ci in {TOOL})"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    document = tmp_path / "openapi.json"
    document.write_text(json.dumps(client.get("/api/v1/openapi.json").get_json()))
    result = subprocess.run(
        [str(REDOCLY), "lint", str(document), "--config", str(TOOL / "redocly.yaml")]
        + ["--format", "json"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "REDOCLY_TELEMETRY": "off", "REDOCLY_SUPPRESS_UPDATE_NOTICE": "true"},
    )
    report = json.loads(result.stdout)
    problems = [(p["ruleId"], p["message"]) for p in report["problems"] if p["severity"] != "off"]
    assert report["totals"]["errors"] == 0 and report["totals"]["warnings"] == 0, problems
    assert result.returncode == 0, result.stderr
