"""scripts/setup.sh on a stand-in Debian machine: commands it cannot run are replaced by ones that
record their arguments, so each test sees what the script would install and where it stops."""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RUN_PACKAGES = ["libpango-1.0-0", "libpangoft2-1.0-0", "libharfbuzz-subset0", "fonts-dejavu-core"]
TEST_PACKAGES = [*RUN_PACKAGES, "redis-server", "chromium"]
TOOLS = ["bash", "env", "dirname", "readlink", "cat", "sha256sum", "cut", "mkdir", "chmod", "grep"]

STUBS = {
    # `id -u` answers the uid the test chose.
    "id": '[ "$1" = -u ] && echo "$FAKE_UID"',
    # A package counts as installed when FAKE_INSTALLED names it.
    "dpkg-query": 'for p in $FAKE_INSTALLED; do [ "$p" = "${@: -1}" ] && echo installed && exit 0; '
    "done; exit 1",
    "apt-get": 'echo "apt-get $*" >> "$FAKE_LOG"',
    "apt-cache": 'echo "  Candidate: $FAKE_CHROMIUM_CANDIDATE"',
    # sudo exists but wants a password unless FAKE_SUDO=nopasswd.
    "sudo": '[ "$FAKE_SUDO" = nopasswd ] || exit 1; [ "$1" = -n ] && shift; "$@"',
    # python3 is the test's Python; `python3 -m venv` makes a .venv whose pip only records.
    "python3": 'if [ "$1 $2" = "-m venv" ]; then mkdir -p .venv/bin && '
    "printf '%s\\n' '#!/usr/bin/env bash' "
    '\'if [ "$1 $2" = "-m pip" ]; then echo "pip $*" >> "$FAKE_LOG"; exit 0; fi\' '
    '\'exec "$REAL_PYTHON" "$@"\' > .venv/bin/python && chmod +x .venv/bin/python; '
    'echo "venv $*" >> "$FAKE_LOG"; exit 0; fi; exec "$REAL_PYTHON" "$@"',
}


class Machine:
    def __init__(self, tmp_path: Path):
        self.repo = tmp_path / "repo"
        (self.repo / "scripts").mkdir(parents=True)
        for name in ("scripts/setup.sh", "setup.cfg", "constraints.txt"):
            shutil.copy2(ROOT / name, self.repo / name)
        self.bin = tmp_path / "bin"
        self.bin.mkdir()
        # Only the tools the script uses, so that nothing the real machine has installed leaks in.
        for tool in TOOLS:
            (self.bin / tool).symlink_to(shutil.which(tool))
        for name, body in STUBS.items():
            self.command(name, body)
        self.log = tmp_path / "log"
        self.log.touch()
        self.env = {
            "PATH": str(self.bin),
            "HOME": str(tmp_path),
            "REAL_PYTHON": sys.executable,
            "FAKE_LOG": str(self.log),
            "FAKE_UID": "0",
            "FAKE_INSTALLED": "",
            "FAKE_SUDO": "",
            "FAKE_CHROMIUM_CANDIDATE": "1.0-1",
        }

    def command(self, name: str, body: str) -> None:
        path = self.bin / name
        path.write_text(f"#!/usr/bin/env bash\n{body}\n")
        path.chmod(path.stat().st_mode | stat.S_IEXEC)

    def everything_installed(self) -> None:
        self.env["FAKE_INSTALLED"] = " ".join(TEST_PACKAGES)
        self.command("chromium", "exit 0")
        self.command("node", "exit 0")
        # npm records its arguments and the folder it ran in.
        self.command("npm", 'echo "npm $* in ${PWD##*/}" >> "$FAKE_LOG"; mkdir -p node_modules')

    def setup(self, mode: str) -> subprocess.CompletedProcess:
        self.log.write_text("")
        return subprocess.run(
            [shutil.which("bash"), "scripts/setup.sh", mode],
            cwd=self.repo,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=60,
        )

    def calls(self) -> list[str]:
        return self.log.read_text().splitlines()


@pytest.fixture
def machine(tmp_path):
    if os.name != "posix" or shutil.which("bash") is None:
        pytest.fail("scripts/setup.sh needs bash")
    return Machine(tmp_path)


def test_without_root_or_sudo_it_prints_the_apt_command_and_stops(machine):
    machine.env["FAKE_UID"] = "1000"
    machine.env["FAKE_INSTALLED"] = "libpango-1.0-0 fonts-dejavu-core"
    result = machine.setup("test")
    assert result.returncode == 1
    missing = "libpangoft2-1.0-0 libharfbuzz-subset0 redis-server chromium nodejs npm"
    assert (
        f"    sudo apt-get update && sudo apt-get install -y --no-install-recommends {missing}\n"
        in result.stderr
    )
    assert "then run this command again" in result.stderr
    assert machine.calls() == []
    assert not (machine.repo / ".venv").exists()


def test_as_root_it_installs_only_the_missing_packages_then_the_app_from_the_lock(machine):
    machine.env["FAKE_INSTALLED"] = "libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core"
    result = machine.setup("test")
    assert result.returncode == 0, result.stderr
    assert machine.calls() == [
        "apt-get update -qq",
        "apt-get install -y -qq --no-install-recommends libharfbuzz-subset0 redis-server chromium"
        " nodejs npm",
        "venv -m venv --clear .venv",
        "pip -m pip install -q --disable-pip-version-check -c constraints.txt -e .[test,redis]",
    ]
    assert result.stdout.endswith("setup: ready (test)\n")


def test_with_passwordless_sudo_it_installs_through_sudo(machine):
    machine.env.update(FAKE_UID="1000", FAKE_SUDO="nopasswd")
    machine.env["FAKE_INSTALLED"] = " ".join(RUN_PACKAGES[:-1])
    result = machine.setup("run")
    assert result.returncode == 0, result.stderr
    assert machine.calls()[:2] == [
        "apt-get update -qq",
        "apt-get install -y -qq --no-install-recommends fonts-dejavu-core",
    ]
    assert machine.calls()[-1].endswith("-c constraints.txt -e .")


def test_on_ubuntu_chromium_comes_from_chromium_browser(machine):
    machine.env["FAKE_INSTALLED"] = " ".join(RUN_PACKAGES + ["redis-server"])
    machine.command("npm", "exit 0")
    machine.env["FAKE_CHROMIUM_CANDIDATE"] = "(none)"
    assert machine.setup("test").returncode == 0
    assert "apt-get install -y -qq --no-install-recommends chromium-browser" in machine.calls()


def test_node_from_nodesource_needs_no_npm_package_and_debian_node_gets_npm(machine):
    machine.env["FAKE_INSTALLED"] = " ".join(TEST_PACKAGES)
    machine.command("chromium", "exit 0")
    machine.command("node", "exit 0")
    assert machine.setup("test").returncode == 0
    assert "apt-get install -y -qq --no-install-recommends npm" in machine.calls()
    machine.command("npm", "exit 0")
    assert machine.setup("test").returncode == 0
    assert not [call for call in machine.calls() if call.startswith("apt-get")]


def test_the_test_mode_installs_each_pinned_node_tool_once_and_again_when_its_lock_changes(
    machine,
):
    machine.everything_installed()
    tool = machine.repo / "tools" / "lint"
    tool.mkdir(parents=True)
    (tool / "package.json").write_text('{"name": "lint"}\n')
    (tool / "package-lock.json").write_text('{"lockfileVersion": 3}\n')
    (machine.repo / "tools" / "notes").mkdir()  # no lock file: not a Node tool
    first = machine.setup("test")
    assert first.returncode == 0, first.stderr
    assert "npm ci --no-audit --no-fund --loglevel=error in lint" in machine.calls()
    assert "setup: installing the Node tools in tools/lint" in first.stdout
    assert [c for c in machine.calls() if c.startswith("npm")] == [
        "npm ci --no-audit --no-fund --loglevel=error in lint"
    ]
    assert machine.setup("test").stdout == "setup: ready (test)\n"
    assert machine.calls() == []
    (tool / "package-lock.json").write_text('{"lockfileVersion": 3, "packages": {}}\n')
    assert machine.setup("test").returncode == 0
    assert machine.calls() == ["npm ci --no-audit --no-fund --loglevel=error in lint"]
    assert machine.setup("run").returncode == 0
    assert not [c for c in machine.calls() if c.startswith("npm")]


def test_a_second_run_installs_nothing(machine):
    machine.everything_installed()
    first = machine.setup("test")
    assert first.returncode == 0, first.stderr
    assert [c.split()[0] for c in machine.calls()] == ["venv", "pip"]
    second = machine.setup("test")
    assert second.returncode == 0, second.stderr
    assert machine.calls() == []
    assert second.stdout == "setup: ready (test)\n"


def test_a_changed_lock_file_installs_the_app_again(machine):
    machine.everything_installed()
    assert machine.setup("test").returncode == 0
    with (machine.repo / "constraints.txt").open("a") as lock:
        lock.write("example-package==1.0\n")
    assert machine.setup("test").returncode == 0
    assert [c.split()[0] for c in machine.calls()] == ["pip"]


def test_run_mode_writes_a_private_secret_key_once(machine):
    machine.everything_installed()
    assert machine.setup("run").returncode == 0
    dotenv = machine.repo / ".env"
    text = dotenv.read_text()
    assert re.fullmatch(r"CE_SECRET_KEY=[0-9a-f]{64}\n", text)
    assert stat.S_IMODE(dotenv.stat().st_mode) == 0o600
    assert machine.setup("run").returncode == 0
    assert dotenv.read_text() == text


def test_an_unknown_mode_is_refused_with_the_usage(machine):
    result = machine.setup("deploy")
    assert result.returncode == 2
    assert result.stderr == "usage: scripts/setup.sh run|test|lock\n"
