"""The JSON-LD contexts, bundled: signing and verifying never fetch anything over the network."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from pyld.jsonld import JsonLdError

HERE = Path(__file__).resolve().parent / "contexts"

CREDENTIALS_V2 = "https://www.w3.org/ns/credentials/v2"
OB_V3P0 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
MULTIKEY_V1 = "https://w3id.org/security/multikey/v1"
DID_V1 = "https://www.w3.org/ns/did/v1"

# URL -> bundled file (the files come from the npm packages named in docs/credentials.md).
FILES = {
    CREDENTIALS_V2: "credentials-v2.json",
    OB_V3P0: "ob-v3p0-context-3.0.3.json",
    MULTIKEY_V1: "multikey-v1.json",
    DID_V1: "did-v1.json",
}


@cache
def context(url: str) -> dict:
    """The bundled document of one context URL."""
    return json.loads((HERE / FILES[url]).read_text(encoding="utf-8"))


def document_loader(url: str, options: dict | None = None) -> dict:
    """pyld's loader: the bundled contexts only; anything else is an error, never a fetch."""
    if url not in FILES:
        raise JsonLdError(
            f"{url} is not a bundled context; nothing is fetched over the network.",
            "jsonld.LoadDocumentError",
            {"url": url},
            code="loading document failed",
        )
    return {"contextUrl": None, "documentUrl": url, "document": context(url)}
