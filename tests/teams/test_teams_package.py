"""The sideloadable Teams app package: a manifest valid for v1.19 (the fields we use) and icons."""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from adapters.teams.package import TEMPLATE_DIR, build_manifest, build_package
from tests.teams.harness import APP_ID

GUID = r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$"
HTTPS = {"type": "string", "pattern": r"^https://", "maxLength": 2048}
SCOPES = {"type": "array", "maxItems": 3, "items": {"enum": ["team", "personal", "groupChat"]}}

# The part of https://developer.microsoft.com/json-schemas/teams/v1.19/MicrosoftTeams.schema.json
# that covers every field our manifest uses (required lists, lengths, patterns, enums).
MANIFEST_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": [
        "manifestVersion",
        "version",
        "id",
        "developer",
        "name",
        "description",
        "icons",
        "accentColor",
    ],
    "properties": {
        "$schema": {
            "type": "string",
            "pattern": r"^https://developer\.microsoft\.com/json-schemas/teams/v1\.19/",
        },
        "manifestVersion": {"const": "1.19"},
        "version": {"type": "string", "pattern": r"^\d+\.\d+\.\d+$", "maxLength": 256},
        "id": {"type": "string", "pattern": GUID},
        "developer": {
            "type": "object",
            "additionalProperties": False,
            "required": ["name", "websiteUrl", "privacyUrl", "termsOfUseUrl"],
            "properties": {
                "name": {"type": "string", "maxLength": 32},
                "websiteUrl": HTTPS,
                "privacyUrl": HTTPS,
                "termsOfUseUrl": HTTPS,
            },
        },
        "name": {
            "type": "object",
            "additionalProperties": False,
            "required": ["short", "full"],
            "properties": {
                "short": {"type": "string", "maxLength": 30},
                "full": {"type": "string", "maxLength": 100},
            },
        },
        "description": {
            "type": "object",
            "additionalProperties": False,
            "required": ["short", "full"],
            "properties": {
                "short": {"type": "string", "maxLength": 80},
                "full": {"type": "string", "maxLength": 4000},
            },
        },
        "icons": {
            "type": "object",
            "additionalProperties": False,
            "required": ["outline", "color"],
            "properties": {
                "outline": {"type": "string", "maxLength": 2048},
                "color": {"type": "string", "maxLength": 2048},
            },
        },
        "accentColor": {"type": "string", "pattern": r"^#[0-9a-fA-F]{6}$"},
        "bots": {
            "type": "array",
            "maxItems": 1,
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["botId", "scopes"],
                "properties": {
                    "botId": {"type": "string", "pattern": GUID},
                    "scopes": SCOPES,
                    "supportsFiles": {"type": "boolean"},
                    "isNotificationOnly": {"type": "boolean"},
                    "commandLists": {
                        "type": "array",
                        "maxItems": 3,
                        "items": {
                            "type": "object",
                            "additionalProperties": False,
                            "required": ["scopes", "commands"],
                            "properties": {
                                "scopes": SCOPES,
                                "commands": {
                                    "type": "array",
                                    "maxItems": 10,
                                    "items": {
                                        "type": "object",
                                        "additionalProperties": False,
                                        "required": ["title", "description"],
                                        "properties": {
                                            "title": {"type": "string", "maxLength": 32},
                                            "description": {"type": "string", "maxLength": 128},
                                        },
                                    },
                                },
                            },
                        },
                    },
                },
            },
        },
        "validDomains": {
            "type": "array",
            "maxItems": 16,
            "items": {"type": "string", "maxLength": 2048, "pattern": r"^[^/:]+(:\d+)?$"},
        },
    },
}

_TYPES = {"object": dict, "array": list, "string": str, "boolean": bool}


def schema_errors(value: Any, schema: dict[str, Any], path: str = "$") -> list[str]:
    """The draft-04 keywords the schema above uses; one message per violation."""
    errors: list[str] = []
    if "type" in schema and not isinstance(value, _TYPES[schema["type"]]):
        return [f"{path}: expected {schema['type']}"]
    if "const" in schema and value != schema["const"]:
        errors.append(f"{path}: expected {schema['const']!r}")
    if "enum" in schema and value not in schema["enum"]:
        errors.append(f"{path}: {value!r} not in {schema['enum']}")
    if isinstance(value, str):
        if len(value) > schema.get("maxLength", len(value)):
            errors.append(f"{path}: longer than {schema['maxLength']}")
        if "pattern" in schema and not re.search(schema["pattern"], value):
            errors.append(f"{path}: {value!r} does not match {schema['pattern']}")
    if isinstance(value, list):
        if len(value) > schema.get("maxItems", len(value)):
            errors.append(f"{path}: more than {schema['maxItems']} items")
        for i, item in enumerate(value):
            errors += schema_errors(item, schema.get("items", {}), f"{path}[{i}]")
    if isinstance(value, dict):
        errors += [f"{path}: missing {k}" for k in schema.get("required", []) if k not in value]
        properties = schema.get("properties", {})
        if schema.get("additionalProperties") is False:
            errors += [f"{path}: unexpected {k}" for k in value if k not in properties]
        for key, sub in properties.items():
            if key in value:
                errors += schema_errors(value[key], sub, f"{path}.{key}")
    return errors


def test_the_validator_catches_what_teams_would_reject() -> None:
    bad = build_manifest(app_id=APP_ID, host=None)
    bad["name"]["short"] = "x" * 31
    bad["bots"][0]["scopes"] = ["everyone"]
    del bad["accentColor"]
    assert len(schema_errors(bad, MANIFEST_SCHEMA)) == 3


def test_package_holds_a_valid_manifest_and_both_icons(tmp_path: Path) -> None:
    path = build_package(tmp_path / "out" / "oews.zip", app_id=APP_ID, host="oews.example.com")

    with zipfile.ZipFile(path) as zf:
        assert sorted(zf.namelist()) == ["color.png", "manifest.json", "outline.png"]
        manifest = json.loads(zf.read("manifest.json"))
        color = Image.open(io.BytesIO(zf.read("color.png")))
        outline = Image.open(io.BytesIO(zf.read("outline.png"))).convert("RGBA")
    assert schema_errors(manifest, MANIFEST_SCHEMA) == []
    assert manifest["id"] == manifest["bots"][0]["botId"] == APP_ID
    assert manifest["validDomains"] == ["oews.example.com"]
    assert manifest["developer"]["websiteUrl"] == "https://oews.example.com/"
    assert set(manifest["bots"][0]["scopes"]) == {"personal", "team", "groupChat"}
    assert color.size == (192, 192)
    assert outline.size == (32, 32)
    pixels = [outline.getpixel((x, y)) for x in range(32) for y in range(32)]
    assert all(p[3] == 0 or p[:3] == (255, 255, 255) for p in pixels), "outline must be white on transparent"
    assert any(p[3] == 255 for p in pixels) and any(p[3] == 0 for p in pixels)


def test_package_without_host_has_no_valid_domains_and_goes_into_a_directory(tmp_path: Path) -> None:
    path = build_package(tmp_path, app_id=APP_ID, host=None)

    assert path.parent == tmp_path and path.suffix == ".zip"
    with zipfile.ZipFile(path) as zf:
        manifest = json.loads(zf.read("manifest.json"))
    assert schema_errors(manifest, MANIFEST_SCHEMA) == []
    assert manifest["validDomains"] == []


def test_public_url_is_reduced_to_its_host() -> None:
    manifest = build_manifest(app_id=APP_ID, host="https://oews.example.com:8443/teams")
    assert manifest["validDomains"] == ["oews.example.com:8443"]


@pytest.mark.parametrize("app_id", ["", "my-bot", "{{MICROSOFT_APP_ID}}"])
def test_a_malformed_app_id_is_refused(app_id: str, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="GUID"):
        build_package(tmp_path / "x.zip", app_id=app_id, host=None)


def test_a_malformed_host_is_refused() -> None:
    with pytest.raises(ValueError, match="host"):
        build_manifest(app_id=APP_ID, host="not a host/")


def test_the_template_keeps_its_placeholders() -> None:
    template = (TEMPLATE_DIR / "manifest.json").read_text()
    assert template.count("{{MICROSOFT_APP_ID}}") == 2
    assert "{{TEAMS_PUBLIC_HOST}}" in template
