"""Getting a chart PNG into a Teams card, whose whole payload must stay under about 28 KB.

In order of preference:
1. the PNG as it is, inline (``data:image/png;base64,...``) when it fits the room left in the card;
2. with ``TEAMS_PUBLIC_URL`` set: the full-quality PNG served at
   ``{TEAMS_PUBLIC_URL}/charts/{token}`` (``secrets.token_urlsafe``, expires after an hour), kept
   where every instance reads it: in ``OEWS_ARTIFACT_DIR`` when that is set (a volume all
   instances share), else in the bot's store (``artifacts``); if the one cannot take it, the
   other is tried.  A chart kept nowhere else than in one process's memory would be a link that
   every other instance (and the worker that drew it, which serves no HTTP) answers with 404,
   so there is no such fallback: the card then gets the smaller copy of step 3;
3. a smaller copy (palette PNG, then scaled down to at most half size) inline when that fits;
4. otherwise no image, and the card says the chart is not available in Teams.
"""

from __future__ import annotations

import base64
import contextlib
import io
import logging
import os
import re
import secrets
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from bot.store import BotStore, StoreError

logger = logging.getLogger(__name__)

TOKEN_TTL_S = 3600.0
SWEEP_EVERY_S = 600.0  # expired files in OEWS_ARTIFACT_DIR are deleted at most this often
SCALES = (1.0, 0.85, 0.7, 0.6, 0.5)
_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,128}")  # never a path: ``secrets.token_urlsafe`` characters


@dataclass(frozen=True)
class ChartImage:
    url: str  # a data: URI or an https URL
    inline: bool


class ChartStore:
    """Expiring PNGs behind unguessable tokens, in a shared directory and/or the bot's store."""

    def __init__(
        self,
        *,
        backing: BotStore | None,
        directory: Path | None = None,
        ttl_s: float = TOKEN_TTL_S,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._backing, self._directory, self._ttl, self._clock = backing, directory, ttl_s, clock
        self._swept = -SWEEP_EVERY_S

    def put(self, png: bytes) -> str | None:
        """The token of the kept PNG, or None when no place every instance reads could take it."""
        token = secrets.token_urlsafe(24)
        if self._directory is not None and self._write(token, png):
            return token
        if self._backing is not None:
            try:
                self._backing.put_artifact(chart_key(token), png, content_type="image/png", ttl_s=self._ttl)
                return token
            except StoreError:
                logger.warning("could not keep a chart in the store; it goes inline", exc_info=True)
        return None

    def get(self, token: str) -> bytes | None:
        """The PNG behind ``token`` if any instance kept it and it has not expired."""
        if not _TOKEN.fullmatch(token):
            return None
        if self._directory is not None:
            png = self._read(token)
            if png is not None:
                return png
        return stored_chart(self._backing, token) if self._backing is not None else None

    def _write(self, token: str, png: bytes) -> bool:
        """Written whole or not at all (a temporary file renamed), so a reader never sees half."""
        assert self._directory is not None
        self._sweep()
        try:
            self._directory.mkdir(parents=True, exist_ok=True)
            fd, temporary = tempfile.mkstemp(dir=self._directory, prefix=".chart-")
            with os.fdopen(fd, "wb") as out:
                out.write(png)
            os.replace(temporary, self._directory / f"{token}.png")
        except OSError:
            logger.warning("could not keep a chart in OEWS_ARTIFACT_DIR", exc_info=True)
            return False
        return True

    def _sweep(self) -> None:
        """Delete the expired charts of the directory (any instance's), now and then."""
        assert self._directory is not None
        now = self._clock()
        if now - self._swept < SWEEP_EVERY_S:
            return
        self._swept = now
        with contextlib.suppress(OSError):
            for path in self._directory.glob("*.png"):
                with contextlib.suppress(OSError):
                    if path.stat().st_mtime + self._ttl <= now:
                        path.unlink()

    def _read(self, token: str) -> bytes | None:
        assert self._directory is not None
        path = self._directory / f"{token}.png"
        try:
            if path.stat().st_mtime + self._ttl <= self._clock():
                with contextlib.suppress(OSError):
                    path.unlink()
                return None
            return path.read_bytes()
        except OSError:
            return None


def chart_key(token: str) -> str:
    return f"chart:{token}"


def stored_chart(store: BotStore, token: str) -> bytes | None:
    """A chart PNG kept in the store by any instance, or None (unknown, expired, store down)."""
    try:
        found = store.get_artifact(chart_key(token))
    except StoreError:
        logger.warning("could not read a chart from the store", exc_info=True)
        return None
    return None if found is None else found[0]


def data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def place_chart(png: bytes, *, room: int, store: ChartStore, public_url: str | None) -> ChartImage | None:
    """Where the chart goes, given ``room`` characters left in the card (see the module doc)."""
    if len(data_uri(png)) <= room:
        return ChartImage(data_uri(png), inline=True)
    token = store.put(png) if public_url else None
    if public_url and token is not None:
        return ChartImage(f"{public_url.rstrip('/')}/charts/{token}", inline=False)
    smaller = shrink_png(png, max_bytes=(room - len(data_uri(b""))) * 3 // 4)
    return ChartImage(data_uri(smaller), inline=True) if smaller is not None else None


def shrink_png(png: bytes, *, max_bytes: int) -> bytes | None:
    """A palette (and if need be scaled-down) copy under ``max_bytes``, or None."""
    if max_bytes <= 0:
        return None
    with Image.open(io.BytesIO(png)) as source:
        rgba = source.convert("RGBA")
    flat = Image.alpha_composite(Image.new("RGBA", rgba.size, "white"), rgba).convert("RGB")
    for scale in SCALES:
        size = (max(1, round(flat.width * scale)), max(1, round(flat.height * scale)))
        image = flat if scale == 1.0 else flat.resize(size, Image.Resampling.LANCZOS)
        out = io.BytesIO()
        image.quantize(colors=64, method=Image.Quantize.FASTOCTREE).save(out, "PNG")
        if out.tell() <= max_bytes:
            return out.getvalue()
    return None
