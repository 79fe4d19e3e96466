"""Allow-list validation of one read-only SELECT, before it reaches a database.

``validate_select`` tokenizes the statement once (``agents/sql/lexer.py``, as the database reads
it), drops the comments, and checks the comment-free text, which is also the text it returns
(and the only text that ever runs):

- exactly one statement (one trailing ``;`` is fine), starting with SELECT or WITH … SELECT;
- no data-changing or administrative keyword anywhere (INSERT, DELETE, PRAGMA, ATTACH, INTO…),
  also inside CTEs and subqueries;
- every table after FROM / JOIN / a comma in a FROM list / ``IN`` is an allowed table or a CTE
  defined around it, so ``sqlite_master``, ``pragma_*`` and other catalogs fail simply because
  they are not allowed;
- no dangerous function (``load_extension``, ``readfile``…);
- only literal, quoting and whitespace forms the tokenizer reads exactly as the database does
  (no backslash before a quote, no ``$tag$`` strings, no unterminated or nested comment, no
  non-ASCII spaces).

Values are bound as parameters, so literals are not inspected beyond that.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from agents.errors import SqlRejected
from agents.sql.lexer import Token, tokenize

FORBIDDEN_KEYWORDS = frozenset(
    {
        "INSERT", "UPDATE", "DELETE", "REPLACE", "MERGE", "UPSERT", "RETURNING", "INTO",
        "CREATE", "DROP", "ALTER", "TRUNCATE", "ATTACH", "DETACH", "PRAGMA", "VACUUM",
        "REINDEX", "ANALYZE", "GRANT", "REVOKE", "EXEC", "EXECUTE", "CALL", "COPY",
        "BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE",
    }
)  # fmt: skip
FORBIDDEN_FUNCTIONS = frozenset(
    {
        "load_extension",
        "readfile",
        "writefile",
        "fts3_tokenizer",
        "edit",
        "fsdir",
        "lsdir",
        "printf",
        "format",
    }
)  # fmt: skip  (printf('%.*c', 1e9, 'x') runs for seconds inside one SQLite instruction)
# Functions that turn a small input into a huge value (memory), on any server.
_AMPLIFIERS = frozenset(
    {"repeat", "lpad", "rpad", "replicate", "space", "array_fill", "string_agg", "array_agg",
     "json_agg", "jsonb_agg", "json_object_agg", "jsonb_object_agg", "xmlagg"}
)  # fmt: skip


# Keywords that close a FROM list (and WINDOW when it starts a window definition: SQLite lets it
# name a table). Not VALUES: PostgreSQL lets it name a table (``FROM facts values, meta``).
FROM_LIST_ENDS = frozenset(
    {"WHERE", "GROUP", "HAVING", "ORDER", "LIMIT", "UNION", "EXCEPT", "INTERSECT", "SELECT"}
)  # fmt: skip


@dataclass(frozen=True)
class DialectRules:
    """What the guard refuses beyond the common rules, per SQL dialect."""

    keywords: frozenset[str] = frozenset()
    functions: frozenset[str] = frozenset()
    function_prefixes: tuple[str, ...] = ()
    function_infixes: tuple[str, ...] = ()
    schemas: frozenset[str] = frozenset({"main"})
    variables: bool = True  # ``@name`` tokens allowed (SQL Server: session variables, @@version)
    from_list_ends: frozenset[str] = FROM_LIST_ENDS  # keywords that close a FROM list


_PG_KEYWORDS = frozenset(
    {"SET", "RESET", "SHOW", "DISCARD", "LISTEN", "NOTIFY", "UNLISTEN", "LOCK", "DO", "DECLARE",
     "PREPARE", "DEALLOCATE", "REFRESH", "CHECKPOINT", "CLUSTER", "LOAD", "IMPORT", "SECURITY",
     "RECURSIVE", "TABLESAMPLE"}
)  # fmt: skip
_PG_FUNCTIONS = _AMPLIFIERS | frozenset(
    {"set_config", "current_setting", "version", "format", "current_user", "session_user",
     "current_role", "current_schema", "current_schemas", "current_database", "current_catalog",
     "current_query", "user", "nextval", "setval", "currval", "lastval", "dblink", "copy"}
)  # fmt: skip
_MSSQL_KEYWORDS = frozenset(
    {"SET", "DECLARE", "WAITFOR", "BULK", "OPENROWSET", "OPENQUERY", "OPENDATASOURCE", "OPENXML",
     "SHUTDOWN", "DBCC", "KILL", "RECONFIGURE", "USE", "WHILE", "IF", "GOTO", "PRINT", "RAISERROR",
     "THROW", "OPEN", "CLOSE", "DEALLOCATE", "BACKUP", "RESTORE", "DENY", "OPTION", "TABLESAMPLE",
     "READTEXT", "WRITETEXT", "UPDATETEXT"}
)  # fmt: skip
_MSSQL_FUNCTIONS = _AMPLIFIERS | frozenset(
    {"openrowset", "openquery", "opendatasource", "openxml", "db_name", "user_name", "suser_name",
     "suser_sname", "system_user", "session_user", "current_user", "user", "host_name",
     "serverproperty", "databasepropertyex", "object_id", "object_name", "schema_name",
     "has_perms_by_name", "is_member", "is_srvrolemember", "permissions", "original_login",
     "context_info", "session_context"}
)  # fmt: skip

RULES: dict[str, DialectRules] = {
    "sqlite": DialectRules(functions=FORBIDDEN_FUNCTIONS),
    "postgresql": DialectRules(
        keywords=_PG_KEYWORDS,
        functions=_PG_FUNCTIONS,
        function_prefixes=("pg_", "lo_", "dblink", "txid_", "has_", "inet_", "to_reg", "xml"),
        function_infixes=("to_xml", "_description"),
        schemas=frozenset({"public"}),
    ),
    "mssql": DialectRules(
        keywords=_MSSQL_KEYWORDS,
        functions=_MSSQL_FUNCTIONS,
        function_prefixes=("xp_", "sp_", "fn_", "sys"),
        schemas=frozenset({"dbo"}),
        variables=False,
        from_list_ends=FROM_LIST_ENDS - {"LIMIT"},  # not a T-SQL keyword: a table may be named limit
    ),
}


@dataclass(frozen=True)
class Checked:
    """A statement that passed validation: the comment-free text that runs, and its CTE names."""

    statement: str
    ctes: frozenset[str]


class SqlGuard:
    """``validate_select`` for one dialect and table list, with validated statements cached.

    The engine's SQL is a few parameterized templates, so most statements are seen before:
    a cached statement costs a dictionary lookup; a new one, one tokenization."""

    def __init__(
        self, *, allowed_tables: Collection[str], dialect: str = "sqlite", cache_size: int = 2048
    ) -> None:
        if dialect not in RULES:
            raise ValueError(f"unknown SQL dialect {dialect!r}")
        self.dialect = dialect
        self.allowed_tables = frozenset(t.lower() for t in allowed_tables)
        self.check = functools.lru_cache(maxsize=cache_size)(self._check)

    def _check(self, sql: str) -> Checked:
        return check_select(sql, allowed_tables=self.allowed_tables, dialect=self.dialect)

    def admit(self, sql: str, params: tuple[Any, ...]) -> Checked:
        """``check``, with a refusal that carries the statement and its parameters."""
        try:
            return self.check(sql)
        except SqlRejected as e:
            raise SqlRejected(str(e), sql=sql, params=params) from e


_SUBQUERY_STARTS = frozenset({"SELECT", "WITH", "VALUES"})


@dataclass(frozen=True)
class _Reference:
    index: int
    schema: str | None
    name: str


def validate_select(sql: str, *, allowed_tables: Collection[str], dialect: str = "sqlite") -> str:
    """Return the comment-free statement if it is one allowed SELECT; else raise SqlRejected."""
    return check_select(sql, allowed_tables=allowed_tables, dialect=dialect).statement


def check_select(sql: str, *, allowed_tables: Collection[str], dialect: str = "sqlite") -> Checked:
    """Validate ``sql`` (tokenized once) for ``dialect``; the statement to run and its CTEs."""
    rules = RULES[dialect]
    lexed = tokenize(sql, dialect)
    toks = _statement_tokens(lexed.tokens, sql)
    _check_lexemes(toks, sql, rules)
    _check_keywords(toks, sql, rules)
    _check_statement_kind(toks, sql)
    _check_functions(toks, sql, rules)
    scopes = list(_cte_scopes(toks))
    _check_tables(toks, scopes, {t.lower() for t in allowed_tables}, sql, rules)
    statement = lexed.text.strip()
    statement = statement[:-1].rstrip() if statement.endswith(";") else statement
    return Checked(statement, frozenset(name for name, _, _ in scopes))


def cte_names(sql: str, dialect: str = "sqlite") -> frozenset[str]:
    """Lower-cased names of every CTE the statement defines (for a database-side authorizer)."""
    return frozenset(name for name, _, _ in _cte_scopes(tokenize(sql, dialect).tokens))


# --- tokens -----------------------------------------------------------------------------------


def _statement_tokens(toks: list[Token], sql: str) -> list[Token]:
    """The tokens of the only statement, without its one optional trailing ``;``."""
    if toks and toks[-1].value == ";":
        toks = toks[:-1]
    if not toks:
        raise SqlRejected("empty statement", sql=sql)
    if any(t.value == ";" for t in toks):
        raise SqlRejected("only one statement is allowed", sql=sql)
    return toks


def _check_lexemes(toks: Sequence[Token], sql: str, rules: DialectRules) -> None:
    """SQL Server reads ``@name`` and ``@@name`` as variables (``@@version``): refused there."""
    if rules.variables:
        return
    for i, tok in enumerate(toks):
        if tok.value == "@":
            shown = "".join(t.value for t in toks[i : i + 3])
            raise SqlRejected(f"variable {shown[:40]!r} is not allowed", sql=sql)


def _unquote(value: str) -> str:
    first = value[:1]
    if first == "[":
        return value[1:-1].replace("]]", "]")
    if first in ("'", '"', "`"):
        return value[1:-1].replace(first * 2, first)
    return value


def _matching_paren(toks: Sequence[Token], start: int) -> int:
    """Index of the ``)`` closing the ``(`` at ``start`` (or len(toks) if unclosed)."""
    depth = 0
    for i in range(start, len(toks)):
        value = toks[i].value
        if value == "(":
            depth += 1
        elif value == ")":
            depth -= 1
            if depth == 0:
                return i
    return len(toks)


def _scope_end(toks: Sequence[Token], start: int) -> int:
    """Index of the ``)`` closing the parentheses that enclose ``start`` (or len(toks))."""
    depth = 0
    for i in range(start, len(toks)):
        value = toks[i].value
        if value == "(":
            depth += 1
        elif value == ")":
            depth -= 1
            if depth < 0:
                return i
    return len(toks)


# --- statement kind, keywords, functions -------------------------------------------------------


def _check_statement_kind(toks: Sequence[Token], sql: str) -> None:
    first = toks[0].keyword
    if first == "WITH":
        _, end = _cte_list(toks, 1)
        main = toks[end].keyword if end < len(toks) else None
        if main == "SELECT":
            return
    elif first == "SELECT":
        return
    raise SqlRejected("only SELECT or WITH … SELECT statements are allowed", sql=sql)


def _check_keywords(toks: Sequence[Token], sql: str, rules: DialectRules) -> None:
    for i, tok in enumerate(toks):
        word = tok.keyword
        if word is None or not (word in FORBIDDEN_KEYWORDS or word in rules.keywords):
            continue
        if not _is_replace_function(toks, i, word):
            raise SqlRejected(f"{word} is not allowed in a read-only query", sql=sql)


def _is_replace_function(toks: Sequence[Token], i: int, word: str) -> bool:
    """``replace(x, a, b)`` is the string function, not ``REPLACE INTO``."""
    return word == "REPLACE" and i + 1 < len(toks) and toks[i + 1].value == "("


def _check_functions(toks: Sequence[Token], sql: str, rules: DialectRules) -> None:
    for tok in toks:
        if tok.kind == "word":
            name = tok.value.lower()
        elif tok.kind == "quoted":
            name = _unquote(tok.value).lower()
        else:
            continue  # a string value, a number or punctuation: never a function name
        if _forbidden_function(name, rules):
            raise SqlRejected(f"function {name} is not allowed", sql=sql)


def _forbidden_function(name: str, rules: DialectRules) -> bool:
    return (
        name in FORBIDDEN_FUNCTIONS
        or name in rules.functions
        or name.startswith(rules.function_prefixes)
        or any(part in name for part in rules.function_infixes)
    )


# --- CTEs ------------------------------------------------------------------------------------


def _cte_list(toks: Sequence[Token], i: int) -> tuple[list[str], int]:
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


def _cte_scopes(toks: Sequence[Token]) -> Iterator[tuple[str, int, int]]:
    """(name, first index, last index) of the token range where each CTE name is visible."""
    for i, tok in enumerate(toks):
        if tok.keyword == "WITH":
            end = _scope_end(toks, i)
            for name in _cte_list(toks, i + 1)[0]:
                yield name, i, end


# --- tables ----------------------------------------------------------------------------------


def _check_tables(
    toks: Sequence[Token],
    scopes: list[tuple[str, int, int]],
    allowed: set[str],
    sql: str,
    rules: DialectRules,
) -> None:
    for ref in _table_references(toks, rules.from_list_ends):
        name = ref.name.lower()
        if ref.schema is not None and ref.schema.lower() not in rules.schemas:
            raise SqlRejected(f"schema {ref.schema} is not allowed", sql=sql)
        if name in allowed:
            continue
        in_cte = any(n == name and lo <= ref.index <= hi for n, lo, hi in scopes)
        if ref.schema is None and in_cte:
            continue
        raise SqlRejected(f"table {ref.name} is not allowed", sql=sql)


def _table_references(toks: Sequence[Token], ends: frozenset[str]) -> Iterator[_Reference]:
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
        elif tok.keyword in ends or _starts_window(toks, i):
            from_lists.discard(depth)


def _starts_table(toks: Sequence[Token], i: int) -> bool:
    """FROM (but not ``IS [NOT] DISTINCT FROM``) or any kind of JOIN."""
    keyword = toks[i].keyword
    if keyword is None:
        return False
    if keyword == "JOIN":
        return True
    if keyword != "FROM":
        return False
    before = [t.keyword for t in toks[max(0, i - 2) : i]]
    return not (before[-1:] == ["DISTINCT"] and before[:1] in (["IS"], ["NOT"]))


def _starts_window(toks: Sequence[Token], i: int) -> bool:
    """``WINDOW w AS (…)``; otherwise ``window`` names a table (``FROM facts window, meta``)."""
    return toks[i].keyword == "WINDOW" and i + 2 < len(toks) and toks[i + 2].keyword == "AS"


def _opens_subquery(toks: Sequence[Token], i: int) -> bool:
    return i + 1 < len(toks) and toks[i + 1].keyword in _SUBQUERY_STARTS


def _reference(toks: Sequence[Token], i: int) -> _Reference:
    if i + 2 < len(toks) and toks[i + 1].value == ".":
        return _Reference(i, _unquote(toks[i].value), _unquote(toks[i + 2].value))
    return _Reference(i, None, _unquote(toks[i].value))
