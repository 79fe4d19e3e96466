"""Allow-list validation of one read-only SELECT, before it reaches a database.

``validate_select`` tokenizes the statement with sqlparse, drops the comments, and checks the
comment-free text, which is also the text it returns (and the only text that ever runs):

- exactly one statement (one trailing ``;`` is fine), starting with SELECT or WITH … SELECT;
- no data-changing or administrative keyword anywhere (INSERT, DELETE, PRAGMA, ATTACH, INTO…),
  also inside CTEs and subqueries;
- every table after FROM / JOIN / a comma in a FROM list / ``IN`` is an allowed table or a CTE
  defined around it, so ``sqlite_master``, ``pragma_*`` and other catalogs fail simply because
  they are not allowed;
- no dangerous function (``load_extension``, ``readfile``…);
- only literal, quoting and whitespace forms whose meaning sqlparse and SQLite agree on (no
  backslash escapes, no ``$tag$`` strings, no unterminated comment, no non-ASCII spaces).

Values are bound as parameters, so literals are not inspected beyond that.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass

from sqlparse import lexer, tokens
from sqlparse.tokens import _TokenType

from agents.errors import SqlRejected

FORBIDDEN_KEYWORDS = frozenset(
    {
        "INSERT", "UPDATE", "DELETE", "REPLACE", "MERGE", "UPSERT", "RETURNING", "INTO",
        "CREATE", "DROP", "ALTER", "TRUNCATE", "ATTACH", "DETACH", "PRAGMA", "VACUUM",
        "REINDEX", "ANALYZE", "GRANT", "REVOKE", "EXEC", "EXECUTE", "CALL", "COPY",
        "BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE",
    }
)  # fmt: skip
FORBIDDEN_FUNCTIONS = frozenset(
    {"load_extension", "readfile", "writefile", "fts3_tokenizer", "edit", "fsdir", "lsdir"}
)

_QUOTED_FORMS = {
    "'": re.compile(r"'(?:[^']|'')*'"),
    '"': re.compile(r'"(?:[^"]|"")*"'),
    "`": re.compile(r"`(?:[^`]|``)*`"),
    "[": re.compile(r"\[[^\]]*\]"),
}
_ASCII_SPACE = " \t\n\v\f\r"
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_$]*")
_SUBQUERY_STARTS = frozenset({"SELECT", "WITH", "VALUES"})
_FROM_LIST_ENDS = frozenset(
    {"WHERE", "GROUP BY", "HAVING", "ORDER BY", "LIMIT", "WINDOW", "UNION", "UNION ALL",
     "EXCEPT", "INTERSECT", "SELECT", "VALUES"}
)  # fmt: skip


@dataclass(frozen=True)
class _Tok:
    ttype: _TokenType
    value: str

    @property
    def keyword(self) -> str | None:
        """The keyword in upper case with single spaces (``ORDER BY``), or None."""
        if self.ttype in tokens.Keyword:
            return " ".join(self.value.upper().split())
        return None

    @property
    def words(self) -> list[str]:
        """Unquoted words, upper case: candidates for forbidden keywords."""
        if self.ttype in tokens.Keyword or self.ttype in tokens.Name:
            return [w for w in self.value.upper().split() if _WORD.fullmatch(w)]
        return []


@dataclass(frozen=True)
class _Reference:
    index: int
    schema: str | None
    name: str


def validate_select(sql: str, *, allowed_tables: Collection[str]) -> str:
    """Return the comment-free statement if it is one allowed SELECT; else raise SqlRejected."""
    text = _strip_comments(sql)
    toks = _statement_tokens(text, sql)
    _check_lexemes(toks, sql)
    _check_keywords(toks, sql)
    _check_statement_kind(toks, sql)
    _check_functions(toks, sql)
    _check_tables(toks, {t.lower() for t in allowed_tables}, sql)
    statement = text.strip()
    return statement[:-1].rstrip() if statement.endswith(";") else statement


def cte_names(sql: str) -> frozenset[str]:
    """Lower-cased names of every CTE the statement defines (for a database-side authorizer)."""
    toks = _significant(_strip_comments(sql))
    return frozenset(name for name, _, _ in _cte_scopes(toks))


# --- tokens -----------------------------------------------------------------------------------


def _lex(text: str) -> Iterator[tuple[_TokenType, str]]:
    stream: Iterator[tuple[_TokenType, str]] = lexer.tokenize(text)  # type: ignore[no-untyped-call]
    return stream


def _strip_comments(sql: str) -> str:
    """The text with every comment replaced by one space."""
    parts: list[str] = []
    previous = ""
    for ttype, value in _lex(sql):
        if previous == "/" and value.startswith("*"):
            raise SqlRejected("unterminated /* comment", sql=sql)
        if ttype in tokens.Whitespace and value.strip(_ASCII_SPACE):
            raise SqlRejected("unusual whitespace character", sql=sql)  # SQLite: part of a name
        parts.append(" " if ttype in tokens.Comment else value)
        previous = value
    return "".join(parts)


def _significant(text: str) -> list[_Tok]:
    return [
        _Tok(ttype, value)
        for ttype, value in _lex(text)
        if not (ttype in tokens.Whitespace or ttype in tokens.Newline or value.isspace())
    ]


def _statement_tokens(text: str, sql: str) -> list[_Tok]:
    """The tokens of the only statement, without its one optional trailing ``;``."""
    toks = _significant(text)
    if toks and toks[-1].value == ";":
        toks = toks[:-1]
    if not toks:
        raise SqlRejected("empty statement", sql=sql)
    if any(t.value == ";" for t in toks):
        raise SqlRejected("only one statement is allowed", sql=sql)
    return toks


def _check_lexemes(toks: Sequence[_Tok], sql: str) -> None:
    """Reject token forms that sqlparse and SQLite could read differently."""
    for tok in toks:
        if tok.ttype in tokens.Error:
            raise SqlRejected(f"unexpected text {tok.value!r}", sql=sql)
        form = _QUOTED_FORMS.get(tok.value[:1])
        if form is not None and not form.fullmatch(tok.value):
            raise SqlRejected(f"unsupported quoting in {tok.value[:40]!r}", sql=sql)
        literal_ok = tok.ttype in tokens.String.Single or tok.ttype in tokens.String.Symbol
        if tok.ttype in tokens.Literal and not (literal_ok or tok.ttype in tokens.Number):
            raise SqlRejected(f"unsupported literal {tok.value[:40]!r}", sql=sql)


def _unquote(value: str) -> str:
    first = value[:1]
    if first == "[":
        return value[1:-1]
    if first in ("'", '"', "`"):
        return value[1:-1].replace(first * 2, first)
    return value


def _matching_paren(toks: Sequence[_Tok], start: int) -> int:
    """Index of the ``)`` closing the ``(`` at ``start`` (or len(toks) if unclosed)."""
    depth = 0
    for i in range(start, len(toks)):
        depth += {"(": 1, ")": -1}.get(toks[i].value, 0)
        if depth == 0:
            return i
    return len(toks)


def _scope_end(toks: Sequence[_Tok], start: int) -> int:
    """Index of the ``)`` closing the parentheses that enclose ``start`` (or len(toks))."""
    depth = 0
    for i in range(start, len(toks)):
        depth += {"(": 1, ")": -1}.get(toks[i].value, 0)
        if depth < 0:
            return i
    return len(toks)


# --- statement kind, keywords, functions -------------------------------------------------------


def _check_statement_kind(toks: Sequence[_Tok], sql: str) -> None:
    first = toks[0].keyword
    if first == "WITH":
        _, end = _cte_list(toks, 1)
        main = toks[end].keyword if end < len(toks) else None
        if main == "SELECT":
            return
    elif first == "SELECT":
        return
    raise SqlRejected("only SELECT or WITH … SELECT statements are allowed", sql=sql)


def _check_keywords(toks: Sequence[_Tok], sql: str) -> None:
    for i, tok in enumerate(toks):
        for word in tok.words:
            if word not in FORBIDDEN_KEYWORDS or _is_replace_function(toks, i, word):
                continue
            raise SqlRejected(f"{word} is not allowed in a read-only query", sql=sql)


def _is_replace_function(toks: Sequence[_Tok], i: int, word: str) -> bool:
    """``replace(x, a, b)`` is the string function, not ``REPLACE INTO``."""
    return word == "REPLACE" and i + 1 < len(toks) and toks[i + 1].value == "("


def _check_functions(toks: Sequence[_Tok], sql: str) -> None:
    for tok in toks:
        if tok.ttype in tokens.String.Single:
            continue  # a string value, never a function name
        name = _unquote(tok.value).lower()
        if name in FORBIDDEN_FUNCTIONS:
            raise SqlRejected(f"function {name} is not allowed", sql=sql)


# --- CTEs ------------------------------------------------------------------------------------


def _cte_list(toks: Sequence[_Tok], i: int) -> tuple[list[str], int]:
    """Names defined by the CTE list starting after WITH at ``i``, and the index after it."""
    names: list[str] = []
    if i < len(toks) and toks[i].keyword == "RECURSIVE":
        i += 1
    while i < len(toks):
        name = _unquote(toks[i].value).lower()
        i += 1
        if i < len(toks) and toks[i].value == "(":
            i = _matching_paren(toks, i) + 1
        if i >= len(toks) or toks[i].keyword != "AS":
            break
        i += 1
        while i < len(toks) and toks[i].keyword in ("NOT", "MATERIALIZED"):
            i += 1
        if i >= len(toks) or toks[i].value != "(":
            break
        i = _matching_paren(toks, i) + 1
        names.append(name)
        if i >= len(toks) or toks[i].value != ",":
            break
        i += 1
    return names, i


def _cte_scopes(toks: Sequence[_Tok]) -> Iterator[tuple[str, int, int]]:
    """(name, first index, last index) of the token range where each CTE name is visible."""
    for i, tok in enumerate(toks):
        if tok.keyword == "WITH":
            end = _scope_end(toks, i)
            for name in _cte_list(toks, i + 1)[0]:
                yield name, i, end


# --- tables ----------------------------------------------------------------------------------


def _check_tables(toks: Sequence[_Tok], allowed: set[str], sql: str) -> None:
    scopes = list(_cte_scopes(toks))
    for ref in _table_references(toks):
        name = ref.name.lower()
        if ref.schema is not None and ref.schema.lower() != "main":
            raise SqlRejected(f"schema {ref.schema} is not allowed", sql=sql)
        if name in allowed:
            continue
        in_cte = any(n == name and lo <= ref.index <= hi for n, lo, hi in scopes)
        if ref.schema is None and in_cte:
            continue
        raise SqlRejected(f"table {ref.name} is not allowed", sql=sql)


def _table_references(toks: Sequence[_Tok]) -> Iterator[_Reference]:
    """Every name used as a table: after FROM, JOIN, a comma in a FROM list, or ``IN``."""
    depth = 0
    from_lists: set[int] = set()  # paren depths at which a FROM list is open
    expect = False
    for i, tok in enumerate(toks):
        if expect:
            expect = tok.value == "(" and not _opens_subquery(toks, i)
            if expect:
                from_lists.add(depth + 1)  # FROM (t1 JOIN t2 ...)
            elif tok.value != "(":
                yield _reference(toks, i)
        if tok.value == "(":
            depth += 1
        elif tok.value == ")":
            from_lists.discard(depth)
            depth -= 1
        elif _starts_table(toks, i) or (tok.value == "," and depth in from_lists):
            from_lists.add(depth)
            expect = True
        elif tok.keyword == "IN" and i + 1 < len(toks) and toks[i + 1].value != "(":
            expect = True  # x IN some_table
        elif tok.keyword in _FROM_LIST_ENDS:
            from_lists.discard(depth)


def _starts_table(toks: Sequence[_Tok], i: int) -> bool:
    """FROM (but not ``IS [NOT] DISTINCT FROM``) or any kind of JOIN."""
    keyword = toks[i].keyword
    if keyword is None:
        return False
    if keyword.endswith("JOIN"):
        return True
    if keyword != "FROM":
        return False
    before = [t.keyword for t in toks[max(0, i - 2) : i]]
    return not (before[-1:] == ["DISTINCT"] and before[:1] in (["IS"], ["NOT"]))


def _opens_subquery(toks: Sequence[_Tok], i: int) -> bool:
    return i + 1 < len(toks) and toks[i + 1].keyword in _SUBQUERY_STARTS


def _reference(toks: Sequence[_Tok], i: int) -> _Reference:
    if i + 2 < len(toks) and toks[i + 1].value == ".":
        return _Reference(i, _unquote(toks[i].value), _unquote(toks[i + 2].value))
    return _Reference(i, None, _unquote(toks[i].value))
