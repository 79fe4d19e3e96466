"""Downloading the official BLS OEWS archives (``oesmYYnat.zip``, ``oesmYYst.zip``, ...).

BLS publishes each May release as zip archives of Excel workbooks under one folder (the
"special requests" location). A fetch downloads the archives a set of geographies needs
(resumable: a partial download is kept beside the final name and continued with an HTTP
``Range`` request), checks each archive (a valid zip whose members pass their CRC check and
that holds the workbook expected for that geography), and only when every archive passed,
extracts the workbooks for the loader. A missing release, a broken or wrong archive, or a
server that stops sending raises ``FetchError`` and loads nothing.

BLS refuses anonymous clients, so every request names the product and a contact address.
"""

from __future__ import annotations

import http.client
import logging
import shutil
import urllib.error
import urllib.request
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path, PurePosixPath

from agents.errors import DataError

logger = logging.getLogger(__name__)

DEFAULT_BLS_URL = "https://www.bls.gov/oes/special-requests/"
FIRST_YEAR = 2019  # the loader reads every BLS file layout from May 2019 on
GEOGRAPHIES = ("national", "state", "metro", "nonmetro", "industry")
DEFAULT_GEOGRAPHIES = ("national", "state", "metro", "nonmetro")
_CHUNK = 1 << 16

ByteProgress = Callable[[int, int], None]  # (done, total) bytes downloaded


class FetchError(DataError):
    """A release could not be downloaded or did not check out; nothing was loaded."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    @property
    def user_message(self) -> str:  # type: ignore[override]
        return self.message


@dataclass(frozen=True)
class ArchiveSpec:
    """One BLS archive and the workbooks wanted from it."""

    name: str  # oesm23st.zip
    year: int
    geographies: tuple[str, ...]
    prefixes: tuple[str, ...]  # lower-case member name prefixes, e.g. ("state_m2023",)


_ARCHIVE_OF = {"national": "nat", "state": "st", "metro": "ma", "nonmetro": "ma", "industry": "in4"}


def _prefixes(geography: str, year: int) -> tuple[str, ...]:
    if geography == "industry":  # natsector_, nat3d_, nat4d_, nat5d_6d_ ... of that year
        return ("natsector_m", "nat3d_m", "nat4d_m", "nat5d_6d_m")
    return ({"national": "national_m", "state": "state_m", "metro": "msa_m", "nonmetro": "bos_m"}[geography],)


def archives_for(year: int, geographies: Sequence[str]) -> list[ArchiveSpec]:
    """The archives that hold ``geographies`` for ``year`` (metro and nonmetro share one)."""
    unknown = [g for g in geographies if g not in GEOGRAPHIES]
    if unknown:
        raise FetchError(f"Unknown geography {', '.join(unknown)}; choose from {', '.join(GEOGRAPHIES)}.")
    by_archive: dict[str, list[str]] = {}
    for g in dict.fromkeys(geographies):
        by_archive.setdefault(_ARCHIVE_OF[g], []).append(g)
    return [
        ArchiveSpec(
            name=f"oesm{year % 100:02d}{suffix}.zip",
            year=year,
            geographies=tuple(gs),
            prefixes=tuple(p for g in gs for p in _prefixes(g, year)),
        )
        for suffix, gs in by_archive.items()
    ]


@dataclass(frozen=True)
class BlsClient:
    """Where BLS archives come from and how to ask for them."""

    base_url: str
    contact: str
    timeout_s: float = 60.0
    product: str = "oews-bot/0.1"

    @property
    def user_agent(self) -> str:
        return f"{self.product} (OEWS data loader; contact: {self.contact})"

    def url(self, name: str) -> str:
        return self.base_url.rstrip("/") + "/" + name

    def open(self, name: str, *, start: int = 0) -> http.client.HTTPResponse:
        headers = {"User-Agent": self.user_agent, "Accept": "application/zip, */*"}
        if start:
            headers["Range"] = f"bytes={start}-"
        request = urllib.request.Request(self.url(name), headers=headers)
        response: http.client.HTTPResponse = urllib.request.urlopen(request, timeout=self.timeout_s)
        return response


def download(
    client: BlsClient, spec: ArchiveSpec, folder: Path, *, progress: ByteProgress | None = None
) -> Path:
    """Download one archive into ``folder`` (continuing a partial download); its final path."""
    folder.mkdir(parents=True, exist_ok=True)
    final, part = folder / spec.name, folder / f"{spec.name}.part"
    start = part.stat().st_size if part.exists() else 0
    try:
        response = client.open(spec.name, start=start)
    except urllib.error.HTTPError as e:
        if e.code == 416 and start:  # the partial file is not a prefix of what is there now
            e.close()
            part.unlink()
            return download(client, spec, folder, progress=progress)
        raise _http_error(client, spec, e) from e
    except (urllib.error.URLError, TimeoutError, OSError) as e:
        raise _network_error(client, spec, e) from e
    with response:
        resumed = response.status == 206 and start > 0
        _receive(client, spec, response, part, start if resumed else 0, progress)
    part.replace(final)
    return final


def _receive(
    client: BlsClient,
    spec: ArchiveSpec,
    response: http.client.HTTPResponse,
    part: Path,
    start: int,
    progress: ByteProgress | None,
) -> None:
    length = response.headers.get("Content-Length")
    total = start + int(length) if length and length.isdigit() else 0
    done = start
    try:
        with part.open("ab" if start else "wb") as out:
            while chunk := response.read(_CHUNK):
                out.write(chunk)
                done += len(chunk)
                if progress and total:
                    progress(min(done, total), total)
    except (TimeoutError, OSError, http.client.HTTPException) as e:
        raise _stalled(client, spec, done, e) from e
    if total and done < total:
        raise FetchError(
            f"The download of {spec.name} stopped after {done:,} of {total:,} bytes. Nothing was "
            "loaded; run the same command again to resume it."
        )


def _http_error(client: BlsClient, spec: ArchiveSpec, e: urllib.error.HTTPError) -> FetchError:
    e.close()
    if e.code == 404:
        return FetchError(
            f"BLS has not published May {spec.year} OEWS data for {' and '.join(spec.geographies)} "
            f"({spec.name} is not at {client.base_url}). Nothing was loaded."
        )
    if e.code == 403:
        return FetchError(
            f"BLS refused the download of {spec.name} (HTTP 403). BLS blocks clients without a "
            "contact address: check OEWS_CONTACT_EMAIL. Nothing was loaded."
        )
    return FetchError(f"The download of {spec.name} failed (HTTP {e.code}). Nothing was loaded.")


def _network_error(client: BlsClient, spec: ArchiveSpec, e: Exception) -> FetchError:
    reason = getattr(e, "reason", e)
    if isinstance(reason, TimeoutError):
        return _stalled(client, spec, 0, reason)
    return FetchError(
        f"Could not reach {client.base_url} to download {spec.name} ({type(reason).__name__}). "
        "Nothing was loaded."
    )


def _stalled(client: BlsClient, spec: ArchiveSpec, done: int, e: Exception) -> FetchError:
    logger.info("download of %s interrupted after %d bytes: %r", spec.name, done, e)
    if isinstance(e, TimeoutError):
        what = f"the server sent nothing for {client.timeout_s:g} s"
    else:
        what = "the connection broke"
    return FetchError(
        f"The download of {spec.name} stopped after {done:,} bytes ({what}). Nothing was loaded; "
        "run the same command again to resume it."
    )


def verify(path: Path, spec: ArchiveSpec) -> list[str]:
    """The member names of the workbooks wanted from a downloaded archive; ``FetchError`` if broken."""
    try:
        with zipfile.ZipFile(path) as archive:
            broken = archive.testzip()
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, EOFError) as e:
        raise FetchError(f"{spec.name} is not a valid zip archive. Nothing was loaded.") from e
    if broken is not None:
        raise FetchError(f"{spec.name} is damaged ({broken} fails its check). Nothing was loaded.")
    wanted = [n for n in names if _wanted(n, spec)]
    missing = [
        p for p in spec.prefixes if not any(PurePosixPath(n).name.lower().startswith(p) for n in wanted)
    ]
    if not wanted or (missing and spec.geographies != ("industry",)):
        expected = ", ".join(f"{p}{spec.year}_dl.xlsx" for p in (missing or spec.prefixes))
        raise FetchError(
            f"{spec.name} does not hold the expected BLS workbook ({expected}); it is not the May "
            f"{spec.year} OEWS archive. Nothing was loaded."
        )
    return wanted


def _wanted(member: str, spec: ArchiveSpec) -> bool:
    name = PurePosixPath(member).name.lower()
    if not name.endswith((".xlsx", ".csv")) or name.startswith(("~", ".")):
        return False
    return any(name.startswith(f"{p}{spec.year}") for p in spec.prefixes)


def extract(path: Path, members: Sequence[str], folder: Path) -> list[Path]:
    """Write the wanted workbooks of an archive into ``folder`` under their BLS names."""
    folder.mkdir(parents=True, exist_ok=True)
    out: list[Path] = []
    with zipfile.ZipFile(path) as archive:
        for member in members:
            target = folder / PurePosixPath(member).name
            with archive.open(member) as src, target.open("wb") as dst:
                shutil.copyfileobj(src, dst, _CHUNK)
            out.append(target)
    return out


def release_exists(client: BlsClient, year: int) -> bool:
    """Whether BLS has published the national archive of ``year``."""
    spec = archives_for(year, ["national"])[0]
    try:
        with client.open(spec.name):
            return True
    except urllib.error.HTTPError as e:
        if e.code == 404:
            e.close()
            return False
        raise _http_error(client, spec, e) from e
    except (urllib.error.URLError, TimeoutError, OSError) as e:
        raise _network_error(client, spec, e) from e


def latest_year(client: BlsClient, *, today: date | None = None) -> int:
    """The newest May release BLS has published (released each spring for the May before)."""
    this_year = (today or date.today()).year
    for year in range(this_year, FIRST_YEAR - 1, -1):
        if release_exists(client, year):
            return year
    raise FetchError(f"No OEWS release was found at {client.base_url}.")


def check_year(year: int, *, today: date | None = None) -> None:
    this_year = (today or date.today()).year
    if year < FIRST_YEAR:
        raise FetchError(f"oews-bot loads OEWS releases from May {FIRST_YEAR} on, not {year}.")
    if year > this_year:
        raise FetchError(
            f"BLS has not published May {year} OEWS data (it is {this_year}). Nothing was loaded."
        )


def fetch_release(
    client: BlsClient,
    year: int,
    geographies: Sequence[str],
    folder: Path,
    *,
    extract_to: Path,
    progress: Callable[[str], ByteProgress | None] | None = None,
) -> list[Path]:
    """Download and check every archive into ``folder`` first; then extract the workbooks to load.

    The archives are deleted once extracted; a partial download stays to be resumed.
    """
    check_year(year)
    specs = archives_for(year, geographies)
    downloaded: list[tuple[Path, list[str]]] = []
    for spec in specs:
        path = download(client, spec, folder, progress=progress(spec.name) if progress else None)
        try:
            members = verify(path, spec)
        except FetchError:
            path.unlink(missing_ok=True)  # a wrong or broken archive is not worth resuming
            raise
        downloaded.append((path, members))
    workbooks: list[Path] = []
    for path, members in downloaded:
        workbooks += extract(path, members, extract_to)
        path.unlink()
    return workbooks
