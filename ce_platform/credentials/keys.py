"""The issuer's Ed25519 keys: one file outside the database, rotated without losing old keys."""

from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import base58
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

# Multicodec prefixes (varint) that Multikey puts before the raw Ed25519 public key.
ED25519_PUBLIC_PREFIX = b"\xed\x01"


class KeyFileError(Exception):
    """The key file is missing, unreadable or malformed; the message says which."""


@dataclass(frozen=True)
class IssuerKey:
    """One key pair; retired keys keep only their public half, so old credentials verify."""

    public_key_multibase: str
    created: str
    private_seed: bytes | None = None

    @property
    def fragment(self) -> str:
        return self.public_key_multibase

    def public_key(self) -> Ed25519PublicKey:
        raw = base58.b58decode(self.public_key_multibase[1:])
        return Ed25519PublicKey.from_public_bytes(raw[len(ED25519_PUBLIC_PREFIX) :])

    def sign(self, data: bytes) -> bytes:
        if self.private_seed is None:
            raise KeyFileError(
                "This key is retired: it verifies old credentials but signs nothing."
            )
        return Ed25519PrivateKey.from_private_bytes(self.private_seed).sign(data)


@dataclass(frozen=True)
class KeyRing:
    """The current signing key and every older public key still published in the DID document."""

    current: IssuerKey
    retired: tuple[IssuerKey, ...]

    @property
    def all_keys(self) -> tuple[IssuerKey, ...]:
        return (self.current, *self.retired)

    def find(self, fragment: str) -> IssuerKey | None:
        return next((k for k in self.all_keys if k.fragment == fragment), None)


def public_multibase(public_key: Ed25519PublicKey) -> str:
    """Encode a public key as Multikey does: 'z' + base58btc(0xed01 + 32 bytes)."""
    raw = public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return "z" + base58.b58encode(ED25519_PUBLIC_PREFIX + raw).decode("ascii")


def new_key() -> IssuerKey:
    private = Ed25519PrivateKey.generate()
    from cryptography.hazmat.primitives.serialization import NoEncryption, PrivateFormat

    seed = private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    return IssuerKey(
        public_key_multibase=public_multibase(private.public_key()),
        created=datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
        private_seed=seed,
    )


def _key_json(key: IssuerKey) -> dict:
    entry = {"publicKeyMultibase": key.public_key_multibase, "created": key.created}
    if key.private_seed is not None:
        entry["privateKeySeed"] = base64.b64encode(key.private_seed).decode("ascii")
    return entry


def _key_from_json(entry: dict) -> IssuerKey:
    seed = entry.get("privateKeySeed")
    key = IssuerKey(
        public_key_multibase=entry["publicKeyMultibase"],
        created=entry["created"],
        private_seed=base64.b64decode(seed) if seed else None,
    )
    if key.private_seed is not None:
        derived = public_multibase(
            Ed25519PrivateKey.from_private_bytes(key.private_seed).public_key()
        )
        if derived != key.public_key_multibase:
            raise KeyFileError("The key file's private and public keys do not belong together.")
    return key


def load(path: str | os.PathLike) -> KeyRing:
    """Read the key ring; a broken file is an error, never a silently missing key."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        ring = KeyRing(
            current=_key_from_json(data["current"]),
            retired=tuple(_key_from_json(entry) for entry in data.get("retired", [])),
        )
    except FileNotFoundError:
        raise KeyFileError(f"No key file at {path}: run `flask credentials init-key`.") from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise KeyFileError(f"The key file {path} cannot be read: {exc}") from None
    if ring.current.private_seed is None:
        raise KeyFileError(f"The key file {path} has no private key to sign with.")
    return ring


def _write(path: Path, ring: KeyRing) -> None:
    """Write the ring through a 0600 temporary file and a rename, so no half-written key exists."""
    data = {
        "current": _key_json(ring.current),
        "retired": [_key_json(k) for k in ring.retired],
    }
    temporary = path.with_name(path.name + ".tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=2)
        handle.write("\n")
    os.chmod(temporary, 0o600)
    os.replace(temporary, path)


def init_key(path: str | os.PathLike) -> KeyRing:
    """Create the deployment's first key; refuse to overwrite one (credentials depend on it)."""
    path = Path(path)
    if path.exists():
        raise KeyFileError(
            f"{path} already holds a key; use `flask credentials init-key --rotate` to replace it."
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    ring = KeyRing(current=new_key(), retired=())
    _write(path, ring)
    return ring


def rotate(path: str | os.PathLike) -> KeyRing:
    """Sign with a new key from now on; the old public key stays published for old credentials."""
    path = Path(path)
    old = load(path)
    retired_current = IssuerKey(old.current.public_key_multibase, old.current.created, None)
    ring = KeyRing(current=new_key(), retired=(retired_current, *old.retired))
    _write(path, ring)
    return ring
