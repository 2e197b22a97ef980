"""Personal data in published text: 身份证号, mobile numbers, bank cards — found, never kept.

Government pages leak personal data mostly through 公示 lists (低保, 救助, 补贴发放) that print
whole ID numbers, phone numbers and bank accounts. A number only counts when it is exactly
what it claims to be:

* an 18-character 居民身份证号 (GB 11643-1999): a known province code, a real birth date, and
  the ISO 7064 MOD 11-2 check character;
* a mainland mobile number: 11 digits starting 13–19 (``138 1234 5678`` and ``138-1234-5678``
  spellings too);
* a bank card: 16–19 digits (optionally in groups of four) passing the Luhn check, starting
  with a card-scheme prefix, in a text that talks about banks or accounts at all.

Masked spellings (``110101********1234``, ``138****5678``) never match: a ``*`` is not a digit.
Callers only ever see :func:`mask`-ed values; the raw number stays inside this module's
return value for the one call that found it.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

ID_CARD = "id_card"
MOBILE = "mobile"
BANK_CARD = "bank_card"
KINDS_ZH = {ID_CARD: "身份证号", MOBILE: "手机号码", BANK_CARD: "银行卡号"}

# GB/T 2260 province-level codes: the first two digits of every ID number.
_PROVINCES = frozenset(
    {
        "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36",
        "37", "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62",
        "63", "64", "65", "71", "81", "82", "83",
    }
)  # fmt: skip
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"

# Letters, digits and underscores on either side mean the run is part of something longer
# (a 索引号, a file name, a credit code): such runs are not personal numbers.
_EDGE_L = r"(?<![0-9A-Za-z_*])"
_EDGE_R = r"(?![0-9A-Za-z_*])"
_ID_RE = re.compile(
    _EDGE_L
    + r"([1-8][0-9]{5}(?:18|19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])[0-9]{3}[0-9Xx])"
    + _EDGE_R
)
_MOBILE_RE = re.compile(_EDGE_L + r"(1[3-9][0-9])([- ]?)([0-9]{4})\2([0-9]{4})" + _EDGE_R)
_CARD_RE = re.compile(
    _EDGE_L + r"([0-9]{16,19}|[0-9]{4}(?:[ -][0-9]{4}){3}(?:[ -][0-9]{1,3})?)" + _EDGE_R
)
# Issuer prefixes of the schemes cards in China carry (UnionPay 62/60/9x, Visa 4, Mastercard
# 51–55 and 22–27, JCB 35, Amex 34/37); other Luhn-valid runs are serial numbers.
_CARD_PREFIX = re.compile(r"^(?:62|60|9[45]|4|5[1-5]|2[2-7]|35|3[47])")
_BANK_CONTEXT = re.compile(r"银行|卡号|账号|帐号|账户|帐户|存折|社保卡|一卡通|开户行")
# What every number above looks like, cheaply: a mobile-shaped run, fifteen digits in a row
# (IDs, cards), or digits in groups of four. Footer landlines (0791-86123456) do not pass,
# so nearly every page stops here; ASCII classes: Unicode \d is slower on CJK.
_QUICK = re.compile(
    r"(?<![0-9])1[3-9][0-9][- ]?[0-9]{4}[- ]?[0-9]{4}|[0-9]{15}|[0-9]{4}[ -][0-9]{4}[ -][0-9]{4}"
)
_FULLWIDTH_DIGITS = "０１２３４５６７８９"
# Every match of _QUICK lies in a run of eleven or more digits, spaces and hyphens starting
# with a digit. Searching a page for those runs first, and _QUICK only inside them, is ~4x
# faster than _QUICK over the whole page, whose fifteen-digit branch re-reads every run of
# digits from each of its starts (≈ 0.15 ms a page instead of 0.7 on real pages).
_DIGIT_RUNS = re.compile(r"[0-9][0-9 -]{10,}")


@dataclass(frozen=True)
class PiiMatch:
    """One personal number found in a text: its kind, where, and a masked spelling."""

    kind: str
    masked: str
    start: int
    digest_key: str  # kind + masked: what distinguishes matches without keeping the value


def normalize(text: str) -> str:
    """Full-width digits and letters (１３８, Ｘ) as ASCII, the way a reader sees them."""
    if text.isascii():
        return text
    return unicodedata.normalize("NFKC", text)


def may_contain(text: str) -> bool:
    """A cheap test before the full scan: is there a run of digits long enough at all?"""
    if any(_QUICK.search(run.group()) is not None for run in _DIGIT_RUNS.finditer(text)):
        return True
    if any(d in text for d in _FULLWIDTH_DIGITS):  # rare: only then normalise the whole text
        return _QUICK.search(normalize(text)) is not None
    return False


def id_check_char(first17: str) -> str:
    """The GB 11643 check character for the first 17 digits of an ID number."""
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def is_valid_id(number: str, *, today: dt.date | None = None) -> bool:
    """An 18-character 身份证号: province code, a real past birth date, the check character."""
    if len(number) != 18 or not number[:17].isdigit() or number[:2] not in _PROVINCES:
        return False
    try:
        born = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    if born > (today or dt.date.today()) or born.year < 1880:
        return False
    return id_check_char(number[:17]) == number[17].upper()


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def is_bank_card(digits: str) -> bool:
    return 16 <= len(digits) <= 19 and bool(_CARD_PREFIX.match(digits)) and luhn_ok(digits)


def mask(kind: str, value: str) -> str:
    """Enough to find the number on the page, too little to use it."""
    digits = re.sub(r"[^0-9Xx]", "", value)
    head = 4 if kind == BANK_CARD else 3
    return digits[:head] + "*" * (len(digits) - head - 2) + digits[-2:]


def _ids(text: str, today: dt.date | None) -> Iterator[PiiMatch]:
    for m in _ID_RE.finditer(text):
        number = m.group(1)
        if is_valid_id(number, today=today):
            masked = mask(ID_CARD, number)
            yield PiiMatch(ID_CARD, masked, m.start(1), f"{ID_CARD}:{masked}")


def _mobiles(text: str) -> Iterator[PiiMatch]:
    for m in _MOBILE_RE.finditer(text):
        number = m.group(1) + m.group(3) + m.group(4)
        masked = mask(MOBILE, number)
        yield PiiMatch(MOBILE, masked, m.start(1), f"{MOBILE}:{masked}")


def _cards(text: str, id_spans: set[int]) -> Iterator[PiiMatch]:
    if not _BANK_CONTEXT.search(text):
        return
    for m in _CARD_RE.finditer(text):
        if m.start(1) in id_spans:
            continue  # an ID number that happens to pass Luhn is still an ID number
        digits = re.sub(r"[ -]", "", m.group(1))
        if is_bank_card(digits):
            masked = mask(BANK_CARD, digits)
            yield PiiMatch(BANK_CARD, masked, m.start(1), f"{BANK_CARD}:{masked}")


def find_pii(text: str, *, today: dt.date | None = None) -> list[PiiMatch]:
    """Every unmasked personal number in ``text`` (already visible text: no markup, no URLs)."""
    text = normalize(text)
    if not may_contain(text):
        return []
    ids = list(_ids(text, today))
    found = ids + list(_mobiles(text))
    found += _cards(text, {m.start for m in ids})
    found.sort(key=lambda m: m.start)
    return found
