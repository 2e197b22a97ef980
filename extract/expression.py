"""Serious expression errors (严重表述错误) in a page's text, from the rule packs (extract.rulepacks).

Four kinds of rule, all matched at once by one Aho–Corasick automaton over the page's text:

* ``name`` — a leader's name with one character wrong (same pinyin ignoring tone, or a shape
  from ``SHAPE_ALIKES``), only where the title stands right next to it (国务院总理李墙,
  习近乎总书记): a name alone is any citizen's name;
* ``term`` — a title used with a person after they left it (国务院总理李克强 in an article of
  2024). It needs the article's own publication date and is right after 时任/原/前, after a
  届 (第十三届全国人大常委会委员长…), and in a sentence dated inside the term or speaking of
  the past (去年, 当时 …); the caller checks it only in text outside links, since lists of
  other articles carry their own dates;
* ``formulation`` — a fixed formulation with one inner character wrong by sound or shape
  (社会主义核心价值现);
* ``typo`` — a known confusion typo, wrong → right (扫黑险恶 → 扫黑除恶).

A match inside a correct term (a variant that happens to start a longer right text), in
quotation marks, or in a sentence that speaks of a correction (误写为, 更正 …) is no error.
Every variant is generated from GB 2312 characters only: the ones an input method offers.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache

import ahocorasick

from extract.homophones import sound_alikes
from extract.rulepacks import RulePacks, Validity, shipped_packs

NAME, TERM, FORMULATION, TYPO, GUARD = "name", "term", "formulation", "typo", "guard"
ERROR_KINDS = (NAME, TERM, FORMULATION, TYPO)

# Characters people confuse by their look, both ways: a small curated table of pairs seen in
# corrections of government pages (习/刁, 民/氏, 治/冶, 观/现, 栗/粟, 岐/歧 …), not a font metric.
SHAPE_PAIRS = (
    "习刁", "民氏", "治冶", "观现", "栗粟", "岐歧", "己已", "已巳", "未末", "土士", "日曰", "人入",
    "王玉", "王主", "大太", "大犬", "代伐", "特持", "社杜", "值植", "设没", "全金", "面而", "共其",
    "宁丁", "沪泸", "正止", "温湿", "德徳", "锦绵", "战站", "际陈", "乐东", "近进", "平乎", "克兑",
    "强弦", "洋详", "源原", "庆厌", "贾贯", "汪江", "俞渝", "韩韦", "赵赶", "沪炉", "涛寿", "宝玉",
)  # fmt: skip

_CJK = "\u4e00-\u9fff"
_SPACE_BETWEEN_CJK = re.compile(rf"(?<=[{_CJK}])[ \t\u3000\xa0]+(?=[{_CJK}])")
_SENTENCE_END = "。！？!?；;\n"
SENTENCE_REACH = 60  # characters either side of a match at most

_QUOTES = {"“": "”", "「": "」", "『": "』", "‘": "’", '"': '"', "《": "》", "【": "】"}
_CORRECTION = re.compile(r"误写|错写|写错|误为|错为|写成|应为|更正|勘误|纠正|改正|错别字|错字")
# 时任国务院总理…, 原国务院总理…, 第十三届全国人大常委会委员长…, 已故的…
_HISTORIC_PREFIX = re.compile(r"(时任|原任?|前任?|曾任|历任|曾担任|先后任|已故的?|生前|届)$")
_PAST_WORDS = re.compile(r"去年|前年|当年|当时|此前|以前|过去|曾经|曾在|历史|回顾|任内|任期")
_CN_DIGITS = {"〇": "0", "零": "0", "一": "1", "二": "2", "三": "3", "四": "4", "五": "5",
              "六": "6", "七": "7", "八": "8", "九": "9"}  # fmt: skip
_YEAR = re.compile(r"((?:19|20)\d\d)\s*(?:年|[-/.]\d)")
_CN_YEAR = re.compile(r"([一二〇零三四五六七八九]{4})年")
_MONTH_DAY = re.compile(r"(\d{1,2})月(\d{1,2})日")


# -- the variants -----------------------------------------------------------------------------------


@cache
def _shape_alikes() -> dict[str, frozenset[str]]:
    table: dict[str, set[str]] = {}
    for a, b in SHAPE_PAIRS:
        table.setdefault(a, set()).add(b)
        table.setdefault(b, set()).add(a)
    return {ch: frozenset(chars) for ch, chars in table.items()}


def alike(ch: str) -> frozenset[str]:
    """The characters ``ch`` is mistyped as: same pinyin ignoring tone, or a like shape."""
    return frozenset((sound_alikes(ch) | _shape_alikes().get(ch, frozenset())) - {ch})


def one_char_variants(text: str, positions: range) -> Iterator[str]:
    """``text`` with one character at one of ``positions`` replaced by a look- or sound-alike."""
    for i in positions:
        for other in sorted(alike(text[i])):
            yield text[:i] + other + text[i + 1 :]


# -- the automaton ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """What one pattern of the automaton means.

    ``validity``: for a name, the tenure (the name is wrong from its start on); for a term,
    the tenure (wrong after its end); for a formulation or typo, when the rule applies.
    ``title_start``: where the title (or, for a name-first form, the name) begins in the
    pattern, to read what stands before it."""

    rule: str  # "<kind>:<entry id>", stable: triage marks and precision figures key on it
    kind: str
    wrong: str
    right: str
    source: str
    validity: Validity


def _leader_rules(packs: RulePacks) -> Iterator[tuple[str, Rule]]:
    holders: dict[str, set[str]] = {}
    for t in packs.tenures:
        holders.setdefault(t.title, set()).add(t.name)
    every_name = {t.name for t in packs.tenures}
    for t in packs.tenures:
        forms = packs.titles[t.title]
        # name-first short forms: only one office's (总理), or a three-character name: a
        # two-character name + 主席 may well be a local 政协主席's own name
        afters = forms.after if forms.after_unique or len(t.name) >= 3 else ()
        shapes = [f"{b}{{}}" for b in forms.before] + [f"{{}}{a}" for a in afters]
        for shape in shapes:
            right = shape.format(t.name)
            # a term rule is also the guard that keeps a prefix of a right name quiet
            yield right, Rule(f"{TERM}:{t.id}", TERM, right, f"时任{t.title}{t.name}",
                              t.source, t.validity)  # fmt: skip
            for variant in one_char_variants(t.name, range(len(t.name))):
                if variant in every_name or variant in holders[t.title]:
                    continue
                wrong = shape.format(variant)
                yield wrong, Rule(f"{NAME}:{t.id}", NAME, wrong, right, t.source, t.validity)


def _formulation_rules(packs: RulePacks, correct: frozenset[str]) -> Iterator[tuple[str, Rule]]:
    for f in packs.formulations:
        yield f.text, Rule(f"{GUARD}:{f.id}", GUARD, f.text, f.text, f.source, f.validity)
        # inner characters only: see formulations.toml on why the first and last stay
        for variant in one_char_variants(f.text, range(1, len(f.text) - 1)):
            if variant not in correct:
                yield variant, Rule(f"{FORMULATION}:{f.id}", FORMULATION, variant, f.text,
                                    f.source, f.validity)  # fmt: skip
    for t in packs.typos:
        yield t.right, Rule(f"{GUARD}:{t.id}", GUARD, t.right, t.right, t.source, t.validity)
        yield t.wrong, Rule(f"{TYPO}:{t.id}", TYPO, t.wrong, t.right, t.source, t.validity)


@dataclass(frozen=True)
class Matcher:
    """Two automata: ``forward`` for the patterns that begin with a fixed text (a title, a
    formulation's first character), ``backward``, over the reversed text, for those that
    begin with a varied character (李墙总理). An automaton whose root has thousands of
    children walks them at every character: keeping the varied starts out of ``forward``
    makes matching a page about a hundred times faster."""

    forward: ahocorasick.Automaton
    backward: ahocorasick.Automaton
    patterns: int

    def iter(self, text: str) -> Iterator[tuple[int, tuple[Rule, ...]]]:
        """(start, rules) of every pattern found in ``text``."""
        for last, rules in self.forward.iter(text):
            yield last + 1 - len(rules[0].wrong), rules
        if len(self.backward):
            size = len(text)
            for last, rules in self.backward.iter(text[::-1]):
                yield size - 1 - last, rules


def _automaton(patterns: dict[str, list[Rule]]) -> ahocorasick.Automaton:
    automaton = ahocorasick.Automaton()
    for pattern, rules in patterns.items():
        automaton.add_word(pattern, tuple(rules))
    if patterns:
        automaton.make_automaton()
    return automaton


def build_matcher(packs: RulePacks) -> Matcher:
    by_pattern: dict[str, list[Rule]] = {}
    rules = [*_leader_rules(packs), *_formulation_rules(packs, packs.correct_terms())]
    for pattern, rule in rules:
        found = by_pattern.setdefault(pattern, [])
        if rule.kind in (GUARD, TERM):
            found.append(rule)
            continue
        # one error rule per text: a listed typo wins over a generated variant (its right
        # text and source are the ones a person wrote down for it)
        errors = [r for r in found if r.kind not in (GUARD, TERM)]
        if not errors:
            found.append(rule)
        elif rule.kind == TYPO and errors[0].kind != TYPO:
            found[found.index(errors[0])] = rule
    # a misspelt name before its short title (李墙总理) starts with a varied character
    befores = tuple(f for forms in packs.titles.values() for f in forms.before)
    forward = {
        p: f
        for p, f in by_pattern.items()
        if any(r.kind != NAME for r in f) or p.startswith(befores)
    }
    backward = {p[::-1]: f for p, f in by_pattern.items() if p not in forward}
    return Matcher(_automaton(forward), _automaton(backward), len(by_pattern))


@cache
def shipped_matcher() -> Matcher:
    """The matcher of the shipped packs, built once per process (about a tenth of a second)."""
    return build_matcher(shipped_packs())


@dataclass(frozen=True)
class RuleEntry:
    """One rule as people read it: its id, kind, what it is about and its source."""

    rule: str
    kind: str
    subject: str  # 国务院总理李强, 全面从严治党, 扫黑险恶 → 扫黑除恶
    source: str


def rule_entries(packs: RulePacks | None = None) -> list[RuleEntry]:
    """Every rule id the packs can produce, in pack order: a tenure gives a name rule and a
    term rule (a current holder's term rule never fires, but it is the same entry)."""
    packs = packs or shipped_packs()
    out = []
    for t in packs.tenures:
        for kind in (NAME, TERM):
            out.append(RuleEntry(f"{kind}:{t.id}", kind, f"{t.title}{t.name}", t.source))
    out += [RuleEntry(f"{FORMULATION}:{f.id}", FORMULATION, f.text, f.source)
            for f in packs.formulations]  # fmt: skip
    out += [RuleEntry(f"{TYPO}:{t.id}", TYPO, f"{t.wrong} → {t.right}", t.source)
            for t in packs.typos]  # fmt: skip
    return out


# -- matching ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Hit:
    rule: Rule
    start: int
    end: int  # exclusive


def normalise(text: str) -> str:
    """Spaces between two Chinese characters dropped (李　强, 国务院总理 李强)."""
    return _SPACE_BETWEEN_CJK.sub("", text)


def sentence_at(text: str, start: int, end: int) -> str:
    """The sentence around ``text[start:end]``, at most ``SENTENCE_REACH`` characters each side."""
    left = start
    while left > 0 and start - left < SENTENCE_REACH and text[left - 1] not in _SENTENCE_END:
        left -= 1
    right = end
    while right < len(text) and right - end < SENTENCE_REACH and text[right] not in _SENTENCE_END:
        right += 1
    if right < len(text) and text[right] in "。！？!?；;":
        right += 1
    return " ".join(text[left:right].split())


def _quoted(text: str, start: int, end: int) -> bool:
    before, after = text[start - 1 : start], text[end : end + 1]
    return before in _QUOTES and after == _QUOTES[before]


def find_hits(text: str, matcher: Matcher | None = None) -> list[Hit]:
    """Every error-kind match in ``text`` (already normalised) that no correct term covers,
    not quoted and not in a sentence about a correction. Term hits are returned too: whether
    they are errors depends on the page's date (``term_is_stale``)."""
    matcher = matcher or shipped_matcher()
    hits: list[Hit] = []
    covers: list[tuple[int, int, str]] = []  # spans of right texts (guards and terms)
    for start, rules in matcher.iter(text):
        for rule in rules:
            end = start + len(rule.wrong)
            if rule.kind in (GUARD, TERM):
                covers.append((start, end, rule.wrong))
            if rule.kind != GUARD:
                hits.append(Hit(rule, start, end))
    kept = []
    for hit in hits:
        if hit.rule.kind != TERM and any(
            s <= hit.start and hit.end <= e and (s, e) != (hit.start, hit.end) for s, e, _ in covers
        ):
            continue
        if _quoted(text, hit.start, hit.end):
            continue
        if hit.rule.kind != TERM and _CORRECTION.search(sentence_at(text, hit.start, hit.end)):
            continue
        kept.append(hit)
    # one error, one finding: a variant of 中国特色社会主义 inside a variant of the Thought's
    # full name is the same wrong character
    return [
        hit
        for hit in kept
        if hit.rule.kind == TERM
        or not any(
            o.rule.kind != TERM
            and o.start <= hit.start
            and hit.end <= o.end
            and o.end - o.start > hit.end - hit.start
            for o in kept
        )
    ]


def _years_and_dates(sentence: str, published: dt.date) -> Iterator[dt.date]:
    """Dates the sentence speaks of, each as the last day it may mean: a bare year is its
    31 December; 3月5日 is in the article's year (the year before when that is later)."""
    for match in _YEAR.finditer(sentence):
        yield dt.date(int(match.group(1)), 12, 31)
    for match in _CN_YEAR.finditer(sentence):
        yield dt.date(int("".join(_CN_DIGITS[c] for c in match.group(1))), 12, 31)
    for match in _MONTH_DAY.finditer(sentence):
        month, day = int(match.group(1)), int(match.group(2))
        for year in (published.year, published.year - 1):
            try:
                when = dt.date(year, month, day)
            except ValueError:
                break
            if when <= published:
                yield when
                break


def term_is_stale(text: str, hit: Hit, published: dt.date) -> bool:
    """A title given to a person after they left it, in an article of ``published``: not when
    时任/原/前/…届 stands before it, nor in a sentence dated inside the term or about the past."""
    ended = hit.rule.validity.valid_to
    if ended is None or published <= ended:
        return False
    if _HISTORIC_PREFIX.search(text[max(0, hit.start - 8) : hit.start]):
        return False
    sentence = sentence_at(text, hit.start, hit.end)
    if _PAST_WORDS.search(sentence) or _CORRECTION.search(sentence):
        return False
    return not any(day <= ended for day in _years_and_dates(sentence, published))


@dataclass(frozen=True)
class ExpressionError:
    """One error found on a page: the rule, the texts, the sentence of its first occurrence."""

    rule: str
    kind: str
    wrong: str
    right: str
    source: str
    sentence: str
    count: int


def applies(hit: Hit, day: dt.date) -> bool:
    """Is the rule in force on ``day`` (the article's date, else the scan's)?"""
    validity = hit.rule.validity
    if hit.rule.kind == NAME:  # a misspelt name stays wrong once the person held the title
        return validity.valid_from <= day
    return validity.holds_on(day)


def expression_errors(
    text: str,
    *,
    as_of: dt.date,
    published: Callable[[], dt.date | None],
    unlinked_text: Callable[[], str],
    matcher: Matcher | None = None,
) -> list[ExpressionError]:
    """The errors of one page's text. ``published`` gives the article's own publication date
    (None for a page that shows none); ``unlinked_text`` the page's text without its links'
    text. Both are asked only when a match needs them: most pages have no match at all."""
    matcher = matcher or shipped_matcher()
    text = normalise(text)
    hits = find_hits(text, matcher)
    if not hits:
        return []
    day = published()
    found: dict[tuple[str, str], list[tuple[str, Hit]]] = {}
    for hit in hits:
        if hit.rule.kind != TERM and applies(hit, day or as_of):
            found.setdefault((hit.rule.rule, hit.rule.wrong), []).append((text, hit))
    if day is not None and any(h.rule.kind == TERM for h in hits):
        # no date, no judgement: a list of old headlines is not an article calling them current
        plain = normalise(unlinked_text())
        for hit in find_hits(plain, matcher):
            if hit.rule.kind == TERM and term_is_stale(plain, hit, day):
                found.setdefault((hit.rule.rule, hit.rule.wrong), []).append((plain, hit))
    errors = []
    for (_, _), occurrences in sorted(found.items()):
        where, first = occurrences[0]
        rule = first.rule
        errors.append(
            ExpressionError(
                rule=rule.rule,
                kind=rule.kind,
                wrong=rule.wrong,
                right=rule.right,
                source=rule.source,
                sentence=sentence_at(where, first.start, first.end),
                count=len(occurrences),
            )
        )
    return errors
