"""A tiny JQL subset: ``key``/``issuekey``/``id``, ``status``, ``project`` with ``=``, ``!=``, ``in``,
``not in``, combined with AND/OR and parentheses; a trailing ``ORDER BY`` is ignored.

As in Jira, ``key``, ``issuekey`` and ``id`` are one field that takes issue keys and numeric ids alike."""

from __future__ import annotations

import re
from collections.abc import Callable

from .store import Issue

Matcher = Callable[[Issue], bool]
_TOKEN = re.compile(r'\s*(?:(?P<str>"[^"]*"|\'[^\']*\')|(?P<op>!=|=|\(|\)|,)|(?P<word>[^\s=!(),"\']+))')
_FIELDS = {"key": "key", "issuekey": "key", "id": "key", "status": "status", "project": "project"}


class JqlError(ValueError):
    """The query is outside the supported subset or malformed."""


def parse(jql: str | None, issues_named: list | None = None) -> Matcher:
    """Compile ``jql`` into a predicate over issues (empty query matches everything).

    ``issues_named``, a list, receives ``(field, value)`` for each issue a ``key``/``issuekey``/``id``
    clause names: Jira refuses a search naming an issue it does not show, and the caller can check.
    """
    text = re.split(r"\border\s+by\b", jql or "", maxsplit=1, flags=re.IGNORECASE)[0].strip()
    if not text:
        return lambda issue: True
    tokens = _tokenize(text)
    parser = _Parser(tokens)
    matcher = parser.expression()
    if parser.pos != len(tokens):
        raise JqlError(f"Unexpected '{tokens[parser.pos][1]}' in JQL query")
    if issues_named is not None:
        issues_named.extend(parser.issues_named)
    return matcher


def _tokenize(text: str) -> list[tuple[str, str]]:
    tokens, pos = [], 0
    while pos < len(text):
        found = _TOKEN.match(text, pos)
        if not found or found.end() == pos:
            if text[pos:].strip():
                raise JqlError(f"Cannot parse JQL near '{text[pos : pos + 20]}'")
            break
        kind = found.lastgroup
        value = found.group(kind)
        tokens.append((kind, value[1:-1] if kind == "str" else value))
        pos = found.end()
    return tokens


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]]):
        self.tokens, self.pos = tokens, 0
        self.issues_named: list[tuple[str, str]] = []

    def _peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def _take(self, expected: str | None = None) -> str:
        token = self._peek()
        if token is None:
            raise JqlError("Unexpected end of JQL query")
        if expected is not None and token[1].lower() != expected:
            raise JqlError(f"Expected '{expected}' but found '{token[1]}'")
        self.pos += 1
        return token[1]

    def _keyword(self, word: str) -> bool:
        token = self._peek()
        if token and token[0] == "word" and token[1].lower() == word:
            self.pos += 1
            return True
        return False

    def expression(self) -> Matcher:
        parts = [self._conjunction()]
        while self._keyword("or"):
            parts.append(self._conjunction())
        return parts[0] if len(parts) == 1 else (lambda issue: any(p(issue) for p in parts))

    def _conjunction(self) -> Matcher:
        parts = [self._clause()]
        while self._keyword("and"):
            parts.append(self._clause())
        return parts[0] if len(parts) == 1 else (lambda issue: all(p(issue) for p in parts))

    def _clause(self) -> Matcher:
        if self._peek() == ("op", "("):
            self._take()
            inner = self.expression()
            self._take(")")
            return inner
        name = self._take().lower()
        if name not in _FIELDS:
            raise JqlError(f"Field '{name}' is not supported by this JQL subset")
        attr = _FIELDS[name]
        negate = False
        if self._keyword("not"):
            self._take("in")
            op, negate = "in", True
        elif self._keyword("in"):
            op = "in"
        else:
            op = self._take()
            if op not in ("=", "!="):
                raise JqlError(f"Operator '{op}' is not supported")
            negate = op == "!="
        values = self._values() if op == "in" else [self._value()]
        if attr == "key":
            self.issues_named.extend((name, value) for value in values)
        wanted = {v.lower() for v in values}

        def matcher(issue: Issue) -> bool:
            found = str(getattr(issue, attr)).lower() in wanted
            if attr == "key" and not found:  # an issue id; exports match frozen copies, which may have none
                found = str(getattr(issue, "id", "")) in wanted
            return found != negate

        return matcher

    def _value(self) -> str:
        token = self._peek()
        if token is None or token[0] == "op":
            raise JqlError("Expected a value in JQL query")
        self.pos += 1
        return token[1]

    def _values(self) -> list[str]:
        self._take("(")
        values = [self._value()]
        while self._peek() == ("op", ","):
            self._take()
            values.append(self._value())
        self._take(")")
        return values
