"""A loopback stand-in for the BLS download server, and real BLS-layout archives to serve.

BLS publishes each May release as ``oesmYY<kind>.zip`` archives holding one folder with Excel
workbooks (``oesm24st/state_M2024_dl.xlsx``, a field description workbook, ...). The archives
here are built from the BLS files shipped in the repository, in that layout.
"""

from __future__ import annotations

import io
import threading
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Literal

from openpyxl import Workbook

from tests.shipped import shipped_rows

Mode = Literal["ok", "truncate", "stall"]


def workbook_bytes(source: str, *, limit: int | None = None, occupations: tuple[str, ...] = ()) -> bytes:
    """An .xlsx with the rows of a shipped BLS file (the first ``limit`` plus ``occupations``)."""
    rows = shipped_rows(source)
    chosen = [r for i, r in enumerate(rows) if limit is None or i < limit or r["OCC_CODE"] in occupations]
    book = Workbook(write_only=True)
    sheet = book.create_sheet("All May data")
    sheet.append(list(rows[0]))
    for row in chosen:
        sheet.append(list(row.values()))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def archive_bytes(folder: str, workbooks: dict[str, bytes]) -> bytes:
    """A zip laid out as BLS publishes it: one folder, data workbooks and a field description."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in workbooks.items():
            z.writestr(f"{folder}/{name}", data)
        z.writestr(f"{folder}/field_descriptions.xlsx", b"")
    return out.getvalue()


@dataclass
class FakeBls:
    """Serves ``files`` under ``/oes/special-requests/``; records every request's headers."""

    files: dict[str, bytes] = field(default_factory=dict)
    mode: Mode = "ok"
    requests: list[dict[str, str]] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)
    port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/oes/special-requests/"

    def handle(self, handler: BaseHTTPRequestHandler) -> None:
        self.requests.append({"path": handler.path, **dict(handler.headers)})
        name = handler.path.rsplit("/", 1)[-1]
        data = self.files.get(name)
        if data is None:
            handler.send_error(404)
            return
        start = int(handler.headers.get("Range", "bytes=0-")[6:].rstrip("-") or 0)
        if start >= len(data) and start:
            handler.send_error(416)
            return
        handler.send_response(206 if start else 200)
        handler.send_header("Content-Type", "application/zip")
        handler.send_header("Content-Length", str(len(data) - start))
        if start:
            handler.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        handler.end_headers()
        self._body(handler, data[start:])

    def _body(self, handler: BaseHTTPRequestHandler, body: bytes) -> None:
        if self.mode == "ok":
            handler.wfile.write(body)
            return
        handler.wfile.write(body[: len(body) // 2])
        handler.wfile.flush()
        if self.mode == "stall":
            self.release.wait(10)  # until the test is over; the client gives up long before
        handler.close_connection = True


@contextmanager
def serve_bls(fake: FakeBls) -> Iterator[FakeBls]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            fake.handle(self)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    fake.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.005}, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        fake.release.set()
        server.shutdown()
        server.server_close()
