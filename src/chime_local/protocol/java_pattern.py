"""The model's patterns, matched as the AWS front end's Java regular expressions match them.

The Chime model's ``pattern`` traits are Java regular expressions, matched against the whole
value. Python's ``re`` differs twice: its classes are Unicode (``\\d`` accepts Arabic-Indic
digits, ``\\s`` accepts U+00A0), and it backtracks, so ``.+@.+\\..+`` needs quadratic time on a
long value and one request could hold the event loop for seconds. RE2 (``google-re2``) matches in
time linear in the value and its ``\\d`` and ``\\w`` are ASCII like Java's; two differences are
translated here before compiling:

- ``\\s`` is Java's ``[ \\t\\n\\x0B\\f\\r]`` (RE2's lacks the vertical tab), ``\\S`` its complement;
- ``.`` excludes Java's line terminators (``\\n``, ``\\r``, U+0085, U+2028, U+2029), not only
  ``\\n``.

A pattern is compiled once, into an RE2 ``Set`` of that one pattern anchored at both ends:
matching a set answers only whether the value matches (no match positions), the fastest thing
RE2's Python binding offers. Everything else in the model's patterns (anchors, classes, counted
repetition, non-capturing groups) means the same in both engines.

Each pattern remembers the verdicts on the short values it saw last (``REMEMBERED`` of them, up
to ``REMEMBERED_LENGTH`` characters): the same account and user ids come back request after
request, and a dictionary lookup costs a tenth of a match.
"""

from __future__ import annotations

import re2

REMEMBERED = 4096  # verdicts kept per pattern (all forgotten at once when full)
REMEMBERED_LENGTH = 256  # longer values are matched every time
_JAVA_SPACE = r"\t\n\x0B\f\r "
_OUTSIDE_CLASS = {
    ".": r"[^\n\r\x{85}\x{2028}\x{2029}]",
    r"\s": f"[{_JAVA_SPACE}]",
    r"\S": f"[^{_JAVA_SPACE}]",
}


class JavaPattern:
    """A Java pattern compiled once; :meth:`fullmatch` tests a whole value in linear time."""

    __slots__ = ("_seen", "_set", "pattern")

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        self._set = re2.Set.FullMatchSet()
        self._set.Add(translate(pattern))
        self._set.Compile()
        self._seen: dict[str, bool] = {}

    def fullmatch(self, value: str) -> bool:
        verdict = self._seen.get(value)
        if verdict is None:
            verdict = self._set.Match(value) is not None
            if len(value) <= REMEMBERED_LENGTH:
                if len(self._seen) >= REMEMBERED:
                    self._seen.clear()
                self._seen[value] = verdict
        return verdict


def translate(pattern: str) -> str:
    """The RE2 spelling of a Java pattern (see the module docstring for what changes)."""
    out: list[str] = []
    in_class = False
    index = 0
    while index < len(pattern):
        char = pattern[index]
        token = pattern[index : index + 2] if char == "\\" else char
        index += len(token)
        if in_class:
            if token == r"\S":
                raise ValueError(f"\\S inside a character class is not supported: {pattern}")
            out.append(_JAVA_SPACE if token == r"\s" else token)
            in_class = token != "]"
        else:
            out.append(_OUTSIDE_CLASS.get(token, token))
            in_class = token == "["
            if in_class:  # a leading "^" negates; a "]" right after it is a literal member
                lead = "^" if pattern.startswith("^", index) else ""
                if pattern.startswith("]", index + len(lead)):
                    lead += "]"
                out.append(lead)
                index += len(lead)
    return "".join(out)
