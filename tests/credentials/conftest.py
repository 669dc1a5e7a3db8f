"""Credentials need a key: each test that asks for `issuer_key` gets one in its own tmp path."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from ce_platform.credentials import keys
from tests.certificates.conftest import complete_course, completed, course, issued, learner  # noqa: F401

VERIFIER = Path(__file__).resolve().parents[2] / "tools" / "vc-verify"


@pytest.fixture
def issuer_key(app, tmp_path, monkeypatch):
    path = tmp_path / "issuer-key.json"
    keys.init_key(path)
    monkeypatch.setitem(app.config, "CREDENTIAL_KEY_FILE", str(path))
    return path


def node_verify(credential: dict, documents: dict) -> dict:
    """Run Digital Bazaar's verifier (tools/vc-verify) on a credential; its JSON verdict."""
    node = shutil.which("node")
    if node is None or not (VERIFIER / "node_modules").is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail("tools/vc-verify is not installed: run `npm ci` in tools/vc-verify")
        pytest.skip("tools/vc-verify is not installed (npm ci in tools/vc-verify)")
    result = subprocess.run(
        [node, str(VERIFIER / "verify.mjs")],
        input=json.dumps({"credential": credential, "documents": documents}),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture
def signed(issuer_key, completed):  # noqa: F811  (the imported fixture)
    """The number of a certificate issued while a key is configured."""
    response = completed.post("/api/v1/courses/test-course/certificate")
    assert response.status_code == 201, response.get_json()
    return response.get_json()["certificate"]["number"]


def stored_credential(number: str):
    """The credential row of a certificate, read afresh."""
    from ce_platform.certificates import services as certificates
    from ce_platform.credentials import services
    from ce_platform.extensions import db

    db.session.expire_all()
    return services.find_credential(db.session, certificates.find_certificate(db.session, number))
