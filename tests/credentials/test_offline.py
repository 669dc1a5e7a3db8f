"""Signing and verifying never touch the network: no context, no DID is fetched."""

from __future__ import annotations

import socket

import pytest
from pyld.jsonld import JsonLdError

from ce_platform.credentials import contexts, proofs, services
from tests.credentials.conftest import stored_credential


@pytest.fixture
def no_network(monkeypatch):
    """Every attempt to open a connection or resolve a name fails the test loudly."""
    attempts = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise AssertionError(f"network access attempted: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    return attempts


def test_issue_and_verify_run_with_the_network_blocked(issuer_key, completed, client, no_network):
    number = completed.post("/api/v1/courses/test-course/certificate").get_json()["certificate"][
        "number"
    ]
    credential = stored_credential(number)
    issuer = services.configured_issuer()

    assert services.verify_document(credential.document, issuer)
    assert services.verify_document(credential.public_document, issuer)
    assert services.verify_document(client.get("/credentials/status/1").get_json(), issuer)
    assert client.get("/.well-known/did.json").status_code == 200
    assert no_network == []


def test_a_context_that_is_not_bundled_is_refused_not_fetched(no_network):
    document = {"@context": ["https://example.org/unknown-context"], "name": "x"}

    with pytest.raises(JsonLdError):
        proofs.canonical_hash(document)
    assert no_network == []


def test_loader_serves_every_context_the_documents_use():
    for url in (contexts.CREDENTIALS_V2, contexts.OB_V3P0, contexts.MULTIKEY_V1, contexts.DID_V1):
        assert "@context" in contexts.document_loader(url)["document"]
