"""Words, not windows: a query cut into the words an official meant, and a text's word seams for ranking.

The segmenter is rjieba (the Rust port of jieba, MIT; its dictionary is built
into the package), loaded once per process with its own dictionary only, so
the same text is always cut the same way: the index's word seams
(``seamed``) are derived data and must not depend on what editors typed.

A query is cut by that segmenter, and then adjacent pieces are joined again
wherever they make a word of the catalog's own vocabulary (``Lexicon``:
synonym words, agencies' names and aliases, theme names, the quoted key
terms of case titles): 充|换|电 → 充换电, 一|照|通行 → 一照通行, 开|公司 →
开公司 (a synonym word). Function words (要, 哪些, 怎么, 办理, 的 …) need not
match; a single remaining character (难, 证) is kept as an optional word,
which ranks but does not have to match.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass

import rjieba

#: Between two words of a text in its seamed form (CaseWords). Never in a query.
SEAM = "\x1f"

#: Words an official's question is made of that say nothing of its subject.
_FUNCTION_WORDS = """
    的 地 得 了 着 过 吗 呢 吧 啊 呀 嘛 么 哦 哈 和 与 及 或 跟 同 并 而 也 都 就 还 又 才 再 很 太 最 更 多 少 挺
    要 想 需 需要 得要 应 应该 应当 可 可以 能 能够 会 该 肯 愿意 打算 准备 咋 咋办 怎 怎么 怎么办 怎样 怎么样 如何
    什么 啥 哪 哪些 哪个 哪里 哪儿 哪家 多久 多长时间 几 几次 几天 多少 为什么 为何 是否 是不是 有没有 能不能 可不可以
    我 我们 你 你们 他 她 它 他们 自己 大家 咱 咱们 本人 这 那 这个 那个 这些 那些 这里 那里 这样 那样
    在 从 向 往 对 对于 把 被 给 让 叫 为 为了 因为 所以 如果 但是 但 可是 然后 关于 通过 按照 根据 以及 还是
    是 有 没 没有 不 不能 不会 不行 去 来 到 上 下 里 中 内 外 前 后 时 时候 一下 一些 有些 有关 相关 一个 个
    办 办理 申请 请问 咨询 问 问题 情况 方面 事 事情 事儿 东西 手续 流程 步骤 程序 需 找 弄 搞 做 干 用 拿
"""
FUNCTION_WORDS = frozenset(_FUNCTION_WORDS.split())

#: Key terms a title puts in quotes: “一照(证)通行”, “税保银互动”, “9610”.
QUOTED = re.compile(r"[“\"「『]([^”\"」』]{2,20})[”\"」』]")

MAX_JOIN = 6  # pieces a vocabulary word may be joined from

_segmenter: rjieba.Jieba | None = None
_lock = threading.Lock()


def segmenter() -> rjieba.Jieba:
    global _segmenter
    if _segmenter is None:
        with _lock:
            if _segmenter is None:
                _segmenter = rjieba.Jieba()
    return _segmenter


def cut(text: str) -> list[str]:
    """``text`` in the dictionary's words, without its HMM guesses (the same text is always cut the same way)."""
    return [piece for piece in segmenter().cut(text, False) if piece.strip()]


def seamed(text: str) -> str:
    """``text`` with a SEAM before, between and after its words, each line (a run of the plain text) on its own.

    A query word found in the seamed text stands inside one word of the text;
    one whose own words stand there with SEAMs on both sides (``bounded``)
    stands on the text's word boundaries. One that straddles two words of the
    text is neither (cases.search.ranking).
    """
    return "\n".join(SEAM + SEAM.join(cut(line)) + SEAM for line in text.split("\n") if line)


def bounded(form: str) -> str | None:
    """``form`` as the seamed text holds it on word boundaries when it is two words or more, else None."""
    pieces = cut(form)
    return SEAM + SEAM.join(pieces) + SEAM if len(pieces) > 1 else None


@dataclass(frozen=True)
class Lexicon:
    """The catalog's own words, which the query's pieces are joined back into."""

    words: frozenset[str]

    @classmethod
    def of(cls, words: Iterable[str]) -> Lexicon:
        return cls(frozenset(w for w in words if 2 <= len(w) <= 20 and SEAM not in w))

    def join(self, pieces: list[str]) -> list[str]:
        """Adjacent pieces joined, longest first, wherever they make a word of the lexicon."""
        out: list[str] = []
        at = 0
        while at < len(pieces):
            for size in range(min(MAX_JOIN, len(pieces) - at), 1, -1):
                word = "".join(pieces[at : at + size])
                if word in self.words:
                    out.append(word)
                    at += size
                    break
            else:
                out.append(pieces[at])
                at += 1
        return out


def quoted_terms(text: str) -> list[str]:
    """The terms a title puts in quotes, with and without the part in brackets (一照(证)通行, 一照通行)."""
    found = []
    for term in QUOTED.findall(text):
        found.append(term)
        plain = re.sub(r"[（(][^）)]*[）)]", "", term)
        if plain != term:
            found.append(plain)
    return found


WORDLIKE = re.compile(r"\w+")


@dataclass(frozen=True)
class Word:
    text: str
    optional: bool = False  # a single character: it ranks, but a case need not hold it


def words_of(text: str, lexicon: Lexicon) -> list[Word]:
    """The words of one typed term that carry its subject, in order, without repeats."""
    pieces = lexicon.join(cut(text))
    found: list[Word] = []
    for piece in pieces:
        if not WORDLIKE.search(piece) or piece in FUNCTION_WORDS:
            continue
        piece = "".join(WORDLIKE.findall(piece))
        word = Word(piece, optional=len(piece) == 1)
        if all(w.text != piece for w in found):
            found.append(word)
    return found


def function_words_in(text: str) -> list[str]:
    """The function words of a typed term (开饭店要办哪些证: 要, 办, 哪些), in order, without repeats."""
    return list(dict.fromkeys(piece for piece in cut(text) if piece in FUNCTION_WORDS))


def parts_of(word: str) -> list[Word]:
    """A word that found nothing, in smaller words: its dictionary words (医保报销 → 医保, 报销), or when
    the dictionary holds it whole, the shorter words inside it (信用贷款 → 信用, 贷款)."""
    pieces = words_of(word, NO_LEXICON)
    if len(pieces) > 1:
        return pieces
    inner = [p for p in segmenter().cut_for_search(word, False) if p != word and len(p) >= 2]
    # cut_for_search gives overlapping words too (不动, 动产, 不动产): keep those not inside a longer one.
    inner = [p for p in dict.fromkeys(inner) if not any(p != q and p in q for q in inner)]
    return [Word(p) for p in inner if p not in FUNCTION_WORDS] or pieces


NO_LEXICON = Lexicon(frozenset())


CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
MAX_CHARACTERS = 8


def characters_of(query) -> list[str]:
    """The Chinese characters of a query's unquoted terms that are no function word, at most MAX_CHARACTERS:
    the last resort when none of its words stands anywhere (清税证明 → 清, 税, 证, 明)."""
    pieces = [p for term in query.terms if term not in query.quoted for p in cut(term) if p not in FUNCTION_WORDS]
    found = [c for piece in pieces for c in CJK.findall(piece)]
    return [c for c in dict.fromkeys(found) if c not in FUNCTION_WORDS][:MAX_CHARACTERS]
