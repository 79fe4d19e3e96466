"""The README documents every command and setting; the packages depend in one direction only."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import click
import pytest

import agents.errors
import bot.errors
from adapters.cli import cli
from bot.config import Settings

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _commands(group: click.Group, prefix: str = "oews-bot") -> list[str]:
    names = []
    for name, command in group.commands.items():
        names.append(f"{prefix} {name}")
        if isinstance(command, click.Group):
            names.extend(_commands(command, f"{prefix} {name}"))
    return names


@pytest.mark.parametrize("command", _commands(cli))
def test_every_command_is_in_the_readme(command: str) -> None:
    assert f"`{command}" in README


def _env_names() -> list[str]:
    names = []
    for name, field in Settings.model_fields.items():
        alias = field.validation_alias
        choices = getattr(alias, "choices", None)
        names.append(str(choices[0]) if choices else name.upper())
    return names


@pytest.mark.parametrize("variable", _env_names())
def test_every_setting_is_in_the_readme(variable: str) -> None:
    assert f"`{variable}`" in README


def _imports(package: str) -> set[tuple[str, str]]:
    found = set()
    for path in (ROOT / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                found.add((str(path.relative_to(ROOT)), node.module.split(".")[0]))
            elif isinstance(node, ast.Import):
                found.update((str(path.relative_to(ROOT)), a.name.split(".")[0]) for a in node.names)
    return found


@pytest.mark.parametrize(("package", "forbidden"), [("agents", {"bot", "adapters"}), ("bot", {"adapters"})])
def test_dependencies_point_one_way(package: str, forbidden: set[str]) -> None:
    offending = sorted((f, m) for f, m in _imports(package) if m in forbidden)
    assert not offending


def test_platform_sdks_stay_in_their_adapters() -> None:
    for package in ("agents", "bot"):
        modules = {m for _, m in _imports(package)}
        assert not modules & {"slack_bolt", "slack_sdk", "botbuilder", "aiohttp"}


# What the chat adapters must not decide themselves: the service decides, they translate.
_POLICY_IN_ADAPTERS = {
    "who may use the bot": ("AccessPolicy", ".access.", "permits(", "allow("),
    "which answers are private": ('"denied"', '"rate_limited"', "PRIVATE_STATUSES", "private=True"),
    "rate limits and quotas": (".take(", "take_daily(", "Limits("),
    "who may see a trace": ("get_trace(", ".trace(", "visible"),
    "their own busy / error texts": ("try again in a minute", "something went wrong"),
}


@pytest.mark.parametrize("decision", sorted(_POLICY_IN_ADAPTERS))
def test_chat_adapters_hold_no_policy(decision: str) -> None:
    root = Path(__file__).resolve().parents[1] / "adapters"
    found = [
        f"{path.relative_to(root)}:{number}: {line.strip()}"
        for folder in ("slack", "teams")
        for path in sorted((root / folder).glob("*.py"))
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if not line.lstrip().startswith("#")
        and any(marker in line for marker in _POLICY_IN_ADAPTERS[decision])
    ]
    assert found == [], f"adapters decide {decision} themselves"


def _exception_classes() -> list[tuple[str, str]]:
    """(module, class) of every class in the packages that derives from an exception class."""
    classes = []
    for package in ("agents", "bot", "adapters"):
        for path in sorted((ROOT / package).rglob("*.py")):
            module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            tree = ast.parse(path.read_text(encoding="utf-8"))
            classes += [(module, n) for n in ast.walk(tree) if isinstance(n, ast.ClassDef)]
    errors = {"Exception", "ValueError", "RuntimeError", "OSError"}
    while grown := {c.name for _, c in classes if c.name not in errors and errors & set(map(_name, c.bases))}:
        errors |= grown
    return [(module, c.name) for module, c in classes if c.name in errors]


def _name(node: ast.expr) -> str:
    return node.attr if isinstance(node, ast.Attribute) else node.id if isinstance(node, ast.Name) else ""


@pytest.mark.parametrize(("module", "name"), _exception_classes(), ids=lambda v: str(v))
def test_every_error_is_in_a_documented_tree(module: str, name: str) -> None:
    """One error tree per side (httpx-style): each class under its base and named in its docstring."""
    error = getattr(importlib.import_module(module), name)
    base = agents.errors if issubclass(error, agents.errors.OewsError) else bot.errors
    assert issubclass(error, (agents.errors.OewsError, bot.errors.BotError)), f"{module}.{name}"
    assert name in (base.__doc__ or ""), f"{name} is not in the tree at the top of {base.__name__}"
