"""The README's two commands are the ones CI runs, and they install from the lock file."""

import configparser
import re
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]


def _commands() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    return re.findall(r"```bash\n(.+?)\n```", readme)


def test_ci_runs_the_readme_test_command():
    test_command = _commands()[1]
    ci = (ROOT / ".ci" / "run").read_text()
    assert f"TEST_COMMAND='{test_command}'" in ci
    assert 'bash -c "$TEST_COMMAND"' in ci
    assert 'CE_TEST_DATABASE_URL="postgresql+psycopg://' in ci


def test_readme_run_command_sets_up_migrates_syncs_prints_the_urls_and_serves():
    steps = _commands()[0].split(" && ")
    assert steps[0] == "scripts/setup.sh run"
    assert steps[1:] == [
        ". .venv/bin/activate",
        "flask --app wsgi db upgrade",
        "flask --app wsgi courses sync",
        "flask --app wsgi urls",
        "flask --app wsgi run",
    ]


def test_readme_test_command_sets_up_then_runs_pytest():
    assert _commands()[1].split(" && ") == [
        "scripts/setup.sh test",
        ". .venv/bin/activate",
        "pytest",
    ]


def _declared_requirements() -> set[str]:
    """Every package setup.cfg names, in install_requires and in every extra."""
    setup = configparser.ConfigParser()
    setup.read(ROOT / "setup.cfg")
    lines = setup["options"]["install_requires"].splitlines()
    for extra in setup["options.extras_require"].values():
        lines += extra.splitlines()
    return {canonicalize_name(Requirement(line).name) for line in lines if line.strip()}


def _pins() -> dict[str, list[str]]:
    pins: dict[str, list[str]] = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        requirement = Requirement(line)
        pins.setdefault(canonicalize_name(requirement.name), []).append(str(requirement.specifier))
    return pins


def test_lock_file_pins_every_package_setup_cfg_names():
    pins = _pins()
    missing = _declared_requirements() - pins.keys()
    assert not missing, f"not in constraints.txt: {sorted(missing)}; run scripts/setup.sh lock"


def test_lock_file_pins_exact_versions_only():
    pins = _pins()
    assert {"flask", "sqlalchemy", "weasyprint", "pytest", "psycopg", "redis"} <= pins.keys()
    loose = {
        name: specs
        for name, specs in pins.items()
        if not all(re.fullmatch(r"==[\w.+!]+", spec) for spec in specs)
    }
    assert not loose
