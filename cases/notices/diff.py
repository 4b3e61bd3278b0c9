"""What changed in a text, shown as the change itself with a little context on each side.

A corrected paragraph usually differs in a few characters; cutting both
versions at the same 40 characters (as the import preview once did) hides
exactly that. Here the texts are split into tokens (a Chinese character, a
run of Latin letters or digits, a punctuation mark) and compared with
difflib; each change is shown with up to ``CONTEXT`` tokens around it, and
the unchanged stretches between changes are elided.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

TOKEN = re.compile(r"[A-Za-z]+|[0-9]+(?:\.[0-9]+)?|\s+|.", re.DOTALL)
CONTEXT = 12
SHORT = 40


def tokens(text: str) -> list[str]:
    return TOKEN.findall(text)


@dataclass(frozen=True)
class Segment:
    kind: str  # "same", "del", "ins" or "gap"
    text: str


@dataclass(frozen=True)
class FieldDiff:
    label: str
    old: str
    new: str

    @property
    def segments(self) -> list[Segment]:
        return diff_segments(self.old, self.new)

    def __str__(self) -> str:
        if len(self.old) <= SHORT and len(self.new) <= SHORT:
            return f"{self.label}：{self.old or '（空）'} → {self.new or '（空）'}"
        marks = {"same": "{}", "gap": "…", "del": "[-{}-]", "ins": "{{+{}+}}"}
        body = "".join(marks[s.kind].format(s.text) if s.kind != "gap" else "…" for s in self.segments)
        return f"{self.label}：{body}"


def diff_segments(old: str, new: str) -> list[Segment]:
    old = "" if old is None else str(old)
    new = "" if new is None else str(new)
    if len(old) <= SHORT and len(new) <= SHORT:
        return [Segment("del", old or "（空）"), Segment("same", " → "), Segment("ins", new or "（空）")]
    a, b = tokens(old), tokens(new)
    segments: list[Segment] = []
    opcodes = difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes()
    for index, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        if tag == "equal":
            same = a[i1:i2]
            first, last = index == 0, index == len(opcodes) - 1
            if first and last:
                segments.append(Segment("same", "".join(same)))
            elif first:
                _tail(segments, same)
            elif last:
                _head(segments, same)
            elif len(same) > 2 * CONTEXT:
                _head(segments, same)
                segments.append(Segment("gap", ""))
                segments.append(Segment("same", "".join(same[-CONTEXT:])))
            else:
                segments.append(Segment("same", "".join(same)))
            continue
        if i2 > i1:
            segments.append(Segment("del", "".join(a[i1:i2])))
        if j2 > j1:
            segments.append(Segment("ins", "".join(b[j1:j2])))
    return segments


def _head(segments: list[Segment], same: list[str]) -> None:
    segments.append(Segment("same", "".join(same[:CONTEXT])))
    if len(same) > CONTEXT:
        segments.append(Segment("gap", ""))


def _tail(segments: list[Segment], same: list[str]) -> None:
    if len(same) > CONTEXT:
        segments.append(Segment("gap", ""))
    segments.append(Segment("same", "".join(same[-CONTEXT:])))
