"""Chinese names in the order officials look them up: by pinyin (pypinyin), not by Unicode code point.

Code-point order puts 海南省卫生健康委员会 before 海南省医疗保障局 for no reason a
reader knows; a directory sorts by reading: hǎi nán shěng wèi … before
hǎi nán shěng yī …. Ties (same reading) keep tone order, then the characters.
"""

from __future__ import annotations

from functools import lru_cache

from pypinyin import Style, lazy_pinyin


@lru_cache(maxsize=20_000)
def pinyin_key(name: str) -> tuple[tuple[str, ...], tuple[str, ...], str]:
    plain = tuple(lazy_pinyin(name, style=Style.NORMAL, errors="default"))
    toned = tuple(lazy_pinyin(name, style=Style.TONE3, errors="default", neutral_tone_with_five=True))
    return plain, toned, name


def by_pinyin(items, name=lambda item: item.name) -> list:
    return sorted(items, key=lambda item: pinyin_key(name(item)))
