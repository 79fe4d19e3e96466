"""The sideloadable Teams app package: ``manifest.json`` + ``color.png`` + ``outline.png`` in a zip.

``oews-bot teams package`` calls ``build_package``.  The manifest template in ``appmanifest/``
holds placeholders (``{{MICROSOFT_APP_ID}}``, ``{{TEAMS_PUBLIC_HOST}}``, ``{{WEBSITE_URL}}``)
that are filled here: the app and bot id with the Azure bot's app id, ``validDomains`` with the
bot's public host (the chart image URLs), the developer links with ``https://{host}/`` (or the
BLS OEWS page when no host is given).
"""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

TEMPLATE_DIR = Path(__file__).parent / "appmanifest"
ICONS = ("color.png", "outline.png")
FALLBACK_WEBSITE = "https://www.bls.gov/oes/"
_GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
_HOST = re.compile(r"^(?=.{1,253}$)([A-Za-z0-9-]{1,63}\.)*[A-Za-z0-9-]{1,63}(:\d{1,5})?$")


def build_manifest(*, app_id: str, host: str | None) -> dict[str, Any]:
    """The manifest for this app id and public host (ValueError if either is malformed)."""
    if not _GUID.match(app_id or ""):
        raise ValueError(f"the Teams app id must be the bot's Microsoft app id (a GUID), not {app_id!r}")
    hostname = _hostname(host) if host else None
    manifest: dict[str, Any] = json.loads((TEMPLATE_DIR / "manifest.json").read_text(encoding="utf-8"))
    website = f"https://{hostname}/" if hostname else FALLBACK_WEBSITE
    manifest["id"] = app_id
    manifest["bots"][0]["botId"] = app_id
    manifest["developer"].update(websiteUrl=website, privacyUrl=website, termsOfUseUrl=website)
    manifest["validDomains"] = [hostname] if hostname else []
    return manifest


def build_package(out: Path, *, app_id: str, host: str | None) -> Path:
    """Write the app package zip to ``out`` (a ``.zip`` path, or a directory to put it in)."""
    manifest = build_manifest(app_id=app_id, host=host)
    target = out / "oews-teams-app.zip" if out.is_dir() else out
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False))
        for icon in ICONS:
            zf.write(TEMPLATE_DIR / icon, icon)
    return target


def _hostname(host: str) -> str:
    """``bot.example.com`` from ``bot.example.com`` or ``https://bot.example.com/path``."""
    value = host.strip()
    name = urlsplit(value if "://" in value else f"https://{value}").netloc
    if not _HOST.match(name):
        raise ValueError(f"{host!r} is not a host name (expected e.g. bot.example.com)")
    return name
