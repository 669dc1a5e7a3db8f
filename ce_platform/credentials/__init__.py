"""Open Badges 3.0 verifiable credentials for certificates: signed, revocable, checkable offline."""
