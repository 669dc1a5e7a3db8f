"""The README's two commands are the ones CI runs."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _commands() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    return re.findall(r"```bash\n(.+?)\n```", readme)


def test_ci_runs_the_readme_test_command():
    test_command = _commands()[1]
    ci = (ROOT / ".ci" / "run").read_text()
    assert f"TEST_COMMAND='{test_command}'" in ci


def test_readme_run_command_migrates_syncs_and_serves():
    run_command = _commands()[0]
    assert "db upgrade" in run_command and "courses sync" in run_command
    assert run_command.rstrip().endswith("flask --app wsgi run")
