"""Party names made comparable across spelling, legal form and script (Chinese and Latin), and scored with rapidfuzz.

A name is normalised (NFKC, so full-width brackets become ASCII ones; parenthesised qualifiers such as "(Beijing)"
dropped; accents folded; case folded; punctuation to spaces), then reduced to its *core*: legal forms (Co., Ltd.,
GmbH, 有限公司, ...) and words every second company has (Technologies, Electronics, 科技, 电子, ...) are left out,
unless nothing else remains. Chinese characters are kept as they are and also written in toneless pinyin (pypinyin;
one word per run of characters), so that "华为" meets "Huawei" and "Hua Wei". Two names that both have Chinese
characters are compared in characters (pinyin would make homophones such as 中芯 and 中兴 look alike); otherwise in
Latin letters. Toneless pinyin does make a Latin spelling meet every homophone written in characters: a false hit
the compliance officer releases, never a missed one. Other scripts (Cyrillic, Korean, ...) are not transliterated:
list their Latin spellings as aliases.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from pypinyin import lazy_pinyin
from rapidfuzz import fuzz

LEGAL_FORMS = frozenset({
    "co", "company", "ltd", "limited", "inc", "incorporated", "corp", "corporation", "llc", "plc", "gmbh", "ag",
    "sa", "bv", "nv", "kk", "pte", "pty", "srl", "spa", "oy", "ab", "the", "of", "and",
})
# words every second company has, also in pinyin (Chinese names are often written in Latin letters)
GENERIC = frozenset({
    "technology", "technologies", "tech", "electronics", "electronic", "industries", "industry", "industrial",
    "international", "intl", "trading", "trade", "group", "holdings", "holding", "science", "sciences", "systems",
    "system", "engineering", "equipment", "semiconductor", "semiconductors", "manufacturing", "gongsi", "youxian",
    "youxiangongsi", "guoji", "keji", "jishu", "dianzi", "jituan", "konggu", "maoyi", "zhizao", "bandaoti", "gufen",
})
HAN_LEGAL_AND_GENERIC = ("股份有限公司", "有限责任公司", "有限公司", "集成电路", "半导体", "集团", "公司", "控股",
                         "科技", "技术", "电子", "制造", "国际", "贸易", "工业", "设备", "股份")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")
_QUALIFIER = re.compile(r"\([^)]*\)")


@dataclass(frozen=True)
class Name:
    """``han``: the core's Chinese characters ('' if none); ``latin``: the core in Latin letters, words apart."""
    han: str
    latin: str

    @property
    def joined(self) -> str:
        return self.latin.replace(" ", "")


def _fold(text: str) -> str:
    text = _QUALIFIER.sub(" ", unicodedata.normalize("NFKC", text))
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return text.casefold()


def _strip_han(text: str) -> str:
    """The text without Chinese legal forms and generic words, unless no Chinese character would remain."""
    core = text
    for word in HAN_LEGAL_AND_GENERIC:
        core = core.replace(word, " ")
    return core if _HAN.search(core) or not _HAN.search(text) else text


def _latin_words(text: str) -> list[str]:
    spelled = _HAN.sub(lambda m: " " + "".join(lazy_pinyin(m.group())) + " ", text)
    words = re.sub(r"[^0-9a-z]+", " ", spelled).split()
    named = [w for w in words if w not in LEGAL_FORMS] or words
    return [w for w in named if w not in GENERIC] or named


def normalise(text: str) -> Name:
    core = _strip_han(_fold(text))
    return Name(han="".join(_HAN.findall(core)), latin=" ".join(_latin_words(core)))


def score(name: Name, listed: Name) -> float:
    """0..100: how alike a screened name is to a listed one. A listed name (of at least two characters, or four
    letters) found whole in the screened one scores 100: "Huawei Device Co." is screened as "Huawei"."""
    if not (name.latin or name.han) or not (listed.latin or listed.han):
        return 0.0
    if name.han and listed.han:
        return 100.0 if len(listed.han) >= 2 and listed.han in name.han else float(fuzz.ratio(name.han, listed.han))
    words, listed_words = name.latin.split(), listed.latin.split()
    if len(listed.joined) >= 4 and set(listed_words) <= set(words):
        return 100.0
    return float(max(fuzz.token_sort_ratio(name.latin, listed.latin), fuzz.ratio(name.joined, listed.joined)))


def address_score(a: str, b: str) -> float:
    """0..100 for two addresses: normalised alike but nothing left out (a street name is not a legal form)."""
    fa, fb = (re.sub(r"[^0-9a-z\u3400-\u9fff]+", " ", _fold(x)).strip() for x in (a, b))
    return float(fuzz.token_sort_ratio(fa, fb)) if fa and fb else 0.0
