"""Certificate numbers: 75 random bits in Crockford base32 with a Luhn mod 32 check character.

Printed as CE-7K3M-9QPX-2F4T-8WZ3; read back regardless of case, dashes, spaces and the
letters Crockford treats as look-alikes (I and L for 1, O for 0).
"""

from __future__ import annotations

import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
RANDOM_SYMBOLS = 15  # 15 x 5 = 75 bits
PREFIX = "CE"
_DECODE = {symbol: value for value, symbol in enumerate(ALPHABET)}
_DECODE.update({"I": 1, "L": 1, "O": 0})


def check_symbol(symbols: str) -> str:
    """Luhn mod 32 over the symbols, so any single typo or swap of neighbours is caught."""
    factor = 2
    total = 0
    for symbol in reversed(symbols):
        addend = factor * _DECODE[symbol]
        factor = 1 if factor == 2 else 2
        total += addend // 32 + addend % 32
    return ALPHABET[(32 - total % 32) % 32]


def new_number() -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_SYMBOLS))
    key = body + check_symbol(body)
    return format_number(key)


def format_number(key: str) -> str:
    groups = [key[i : i + 4] for i in range(0, len(key), 4)]
    return "-".join([PREFIX, *groups])


def normalize(raw: str) -> str | None:
    """The 16-symbol key of a typed or pasted number, or None when it cannot be one of ours."""
    text = "".join(ch for ch in raw.upper() if ch.isalnum())
    if text.startswith(PREFIX) and len(text) == RANDOM_SYMBOLS + 1 + len(PREFIX):
        text = text[len(PREFIX) :]
    if len(text) != RANDOM_SYMBOLS + 1 or any(ch not in _DECODE for ch in text):
        return None
    key = "".join(ALPHABET[_DECODE[ch]] for ch in text)
    if check_symbol(key[:-1]) != key[-1]:
        return None
    return key
