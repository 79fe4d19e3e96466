"""Getting a chart PNG into a Teams card, whose whole payload must stay under about 28 KB.

In order of preference:
1. the PNG as it is, inline (``data:image/png;base64,...``) when it fits the room left in the card;
2. with ``TEAMS_PUBLIC_URL`` set: the full-quality PNG served at
   ``{TEAMS_PUBLIC_URL}/charts/{token}`` (``secrets.token_urlsafe``, expires after an hour),
   kept in the bot's store (``artifacts``) so that every instance serves every link; in
   memory (with a count and byte cap, oldest dropped first) when the store cannot take it;
3. without a public URL: a smaller copy (palette PNG, then scaled down to at most half size)
   inline when that fits;
4. otherwise no image, and the card says the chart is not available in Teams.
"""

from __future__ import annotations

import base64
import io
import logging
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from PIL import Image

from bot.store import BotStore, StoreError

logger = logging.getLogger(__name__)

TOKEN_TTL_S = 3600.0
MAX_CHARTS = 500
MAX_BYTES = 64 * 1024 * 1024
SCALES = (1.0, 0.85, 0.7, 0.6, 0.5)


@dataclass(frozen=True)
class ChartImage:
    url: str  # a data: URI or an https URL
    inline: bool


class ChartStore:
    """Expiring PNGs behind unguessable tokens, in the bot's store or (fallback) in memory."""

    def __init__(
        self,
        *,
        ttl_s: float = TOKEN_TTL_S,
        max_items: int = MAX_CHARTS,
        max_bytes: int = MAX_BYTES,
        clock: Callable[[], float] = time.monotonic,
        backing: BotStore | None = None,
    ) -> None:
        self._backing = backing
        self._ttl, self._max_items, self._max_bytes, self._clock = ttl_s, max_items, max_bytes, clock
        self._items: OrderedDict[str, tuple[float, bytes]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def put(self, png: bytes) -> str:
        token = secrets.token_urlsafe(24)
        if self._backing is not None:
            try:
                self._backing.put_artifact(chart_key(token), png, content_type="image/png", ttl_s=self._ttl)
                return token
            except StoreError:
                logger.warning(
                    "could not keep a chart in the store; only this instance serves it", exc_info=True
                )
        with self._lock:
            self._items[token] = (self._clock() + self._ttl, png)
            self._bytes += len(png)
            self._evict()
        return token

    def get(self, token: str) -> bytes | None:
        with self._lock:
            self._evict()
            item = self._items.get(token)
        if item is not None:
            return item[1]
        return stored_chart(self._backing, token) if self._backing is not None else None

    def __len__(self) -> int:
        with self._lock:
            self._evict()
            return len(self._items)

    def _evict(self) -> None:
        now = self._clock()
        while self._items:
            token, (expires, png) = next(iter(self._items.items()))
            too_many = len(self._items) > self._max_items or self._bytes > self._max_bytes
            if expires > now and not too_many:
                break
            del self._items[token]
            self._bytes -= len(png)


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
    if public_url:
        return ChartImage(f"{public_url.rstrip('/')}/charts/{store.put(png)}", inline=False)
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
