"""A small SQL tokenizer for the guard: exactly the lexemes the guard checks, read as the database reads them.

One compiled regular expression splits a statement into words, numbers, single-quoted strings,
quoted identifiers, punctuation and parameters, and drops whitespace and comments. It
replaces sqlparse's general lexer (dozens of patterns tried one after another at every
position), which cost milliseconds per statement.

What it reads is what the three servers read, or it refuses the statement:

- strings are ``'…'`` with ``''`` inside; a backslash before a quote is refused (PostgreSQL's
  ``E'\\''`` would end the string elsewhere);
- quoted identifiers are ``"…"`` everywhere, ``[…]`` on SQLite and SQL Server (``]]`` inside
  on SQL Server), and `` `…` `` on SQLite only;
- comments (``--`` to the end of the line, ``/* … */``) are separators and are removed from
  the text that runs; a nested or unterminated ``/*`` is refused (PostgreSQL and SQL Server
  nest block comments, SQLite does not);
- whitespace is ASCII only (SQLite reads a non-ASCII space as part of a name), words are
  Unicode letters, digits, ``_`` and ``$``;
- anything else (``$1``, ``$tag$``, ``#``, ``{fn …}``, a backslash, a stray quote, a control
  character) is refused, as is ``[`` and `` ` `` on PostgreSQL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal, NamedTuple, cast

from agents.errors import SqlRejected

Kind = Literal["word", "number", "string", "quoted", "punct"]

_SPACE = r"[ \t\n\r\f\v]+"
_LINE_COMMENT = r"--[^\n]*\n?"
_BLOCK_COMMENT = r"(?s:/\*.*?\*/)"
_STRING = r"'[^']*(?:''[^']*)*'"
_NUMBER = r"0[xX][0-9a-fA-F]+|(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
_WORD = r"[^\W\d][\w$]*"
_PUNCT = r"[(),;.*+\-%<>=!|&~^:?@]|/(?!\*)"
_QUOTED: dict[str, str] = {
    "sqlite": r'"[^"]*(?:""[^"]*)*"|`[^`]*(?:``[^`]*)*`|\[[^\]]*\]',
    "postgresql": r'"[^"]*(?:""[^"]*)*"',
    "mssql": r'"[^"]*(?:""[^"]*)*"|\[[^\]]*(?:\]\][^\]]*)*\]',
}


def _pattern(quoted: str) -> re.Pattern[str]:
    return re.compile(
        f"(?P<space>{_SPACE})|(?P<comment>{_LINE_COMMENT}|{_BLOCK_COMMENT})|(?P<string>{_STRING})"
        f"|(?P<quoted>{quoted})|(?P<number>{_NUMBER})|(?P<word>{_WORD})|(?P<punct>{_PUNCT})"
    )


_PATTERNS = {dialect: _pattern(quoted) for dialect, quoted in _QUOTED.items()}


class Token(NamedTuple):
    """One significant lexeme. ``keyword`` is a word in upper case (None for anything else)."""

    kind: Kind
    value: str
    keyword: str | None


@dataclass(frozen=True)
class Lexed:
    """The statement with every comment replaced by one space, and its significant tokens."""

    text: str
    tokens: list[Token]


def tokenize(sql: str, dialect: str = "sqlite") -> Lexed:
    """Tokenize ``sql`` as ``dialect`` reads it; ``SqlRejected`` for any form it does not know."""
    if "\x00" in sql:
        raise SqlRejected("unexpected NUL character", sql=sql)
    toks: list[Token] = []
    comments: list[tuple[int, int]] = []
    pos = 0
    for match in _PATTERNS[dialect].finditer(sql):
        if match.start() != pos:  # a gap: text that no lexeme matches
            break
        pos = match.end()
        kind = match.lastgroup
        if kind == "space":
            continue
        value = match.group()
        if kind == "word":
            toks.append(Token("word", value, value.upper()))
        elif kind == "comment":
            _check_comment(value, sql)
            comments.append(match.span())
        else:
            toks.append(_token(kind, value, sql))
    if pos != len(sql):
        raise SqlRejected(_unexpected(sql, pos), sql=sql)
    return Lexed(_without_comments(sql, comments), toks)


def _token(kind: str | None, value: str, sql: str) -> Token:
    if kind == "string" and "\\'" in value:
        raise SqlRejected(f"unsupported quoting in {value[:40]!r}", sql=sql)
    return Token(cast(Kind, kind), value, None)  # the pattern's group names are the kinds


def _check_comment(value: str, sql: str) -> None:
    if "/*" in value[2:]:
        raise SqlRejected("nested /* comments are not allowed", sql=sql)


def _without_comments(sql: str, comments: list[tuple[int, int]]) -> str:
    """``sql`` with each comment replaced by one space."""
    if not comments:
        return sql
    pieces, pos = [], 0
    for start, end in comments:
        pieces += [sql[pos:start], " "]
        pos = end
    pieces.append(sql[pos:])
    return "".join(pieces)


def _unexpected(sql: str, pos: int) -> str:
    rest = sql[pos:]
    if rest.startswith("/*"):
        return "unterminated /* comment"
    if rest[0] in "'\"`[":
        return f"unsupported quoting in {rest[:40]!r}"
    if rest[0].isspace():
        return "unusual whitespace character"
    return f"unexpected text {rest[:20]!r}"
