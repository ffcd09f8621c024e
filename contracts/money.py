"""Exact money: decimal strings in 万元 or yuan at the edges, integer fen inside.

1 万元 = 10,000 yuan = 1,000,000 fen, so a 万元 figure has at most 6 decimals (``"196.352176"``) and
a yuan figure at most 2. A figure with more precision than one fen is refused, never rounded.
Rates (``"0.30"``) are kept as exact fractions; a cap computed from a rate rounds down to the fen.
"""

from __future__ import annotations

import re
from fractions import Fraction

from ledger.canonical import MAX_INT

__all__ = ["FEN_PER", "MoneyError", "fen_to_wan", "parse_money", "parse_rate", "apply_rate", "wan"]

FEN_PER = {"wan": 1_000_000, "yuan": 100, "fen": 1}
_DECIMAL = re.compile(r"^(-?)(\d+)(?:\.(\d+))?$")


class MoneyError(ValueError):
    pass


def parse_money(text: str, unit: str) -> int:
    """``parse_money("196.352176", "wan") == 196352176``: exact, or MoneyError."""
    if type(text) is not str:
        raise MoneyError(f"expected a decimal string in {unit}, got {type(text).__name__}")
    m = _DECIMAL.match(text.strip())
    if not m:
        raise MoneyError(f"{text!r} is not a decimal number (digits, one optional point, no exponent)")
    sign, whole, frac = m.group(1), m.group(2), m.group(3) or ""
    scale = FEN_PER[unit]
    places = len(str(scale)) - 1
    if len(frac.rstrip("0")) > places:
        raise MoneyError(f"{text} {unit} is more precise than one fen ({places} decimals at most)")
    frac = frac.ljust(places, "0")[:places] if places else ""
    value = int(whole) * scale + (int(frac) if frac else 0)
    if value > MAX_INT:  # an entry holds no integer an RFC 8785 number (an IEEE double) cannot
        raise MoneyError(f"{text} {unit} is beyond ±(2^53-1) fen, the most an amount can be")
    return -value if sign else value


def parse_rate(text: str) -> Fraction:
    """A rate such as ``"0.30"`` or ``"0.5"`` as an exact fraction in [0, 1]."""
    if type(text) is not str or not _DECIMAL.match(text.strip()):
        raise MoneyError(f"rate {text!r} is not a decimal string")
    rate = Fraction(text.strip())
    if not 0 <= rate <= 1:
        raise MoneyError(f"rate {text} is not between 0 and 1")
    return rate


def apply_rate(base_fen: int, rate: Fraction) -> int:
    """base × rate, rounded down to the fen (a cap is never rounded up)."""
    return (base_fen * rate.numerator) // rate.denominator


def fen_to_wan(fen: int) -> str:
    """``196352176 -> "196.352176"``; trailing zeros dropped (``22000.0 -> "22000"``)."""
    sign = "-" if fen < 0 else ""
    whole, frac = divmod(abs(fen), 1_000_000)
    text = f"{whole}.{frac:06d}".rstrip("0").rstrip(".")
    return sign + text


def wan(fen: int) -> str:
    """An amount as the findings and summaries say it: ``196352176 -> "196.352176万元"``."""
    return f"{fen_to_wan(fen)}万元"
