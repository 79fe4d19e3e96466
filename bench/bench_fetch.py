"""`data fetch` of a whole state archive from loopback, against `data load` of the same workbook.

    python bench/bench_fetch.py [--rows N]

Builds a real BLS-layout ``oesm24st.zip`` from the shipped May 2025 state file (every row,
as an .xlsx workbook in the archive's folder, labelled May 2024), serves it from a loopback
HTTP server, and times, each into its own fresh database:

* load:  ``load_files`` of the extracted workbook (what ``oews-bot data load`` does);
* fetch: download + zip check + extraction + the same load (what ``oews-bot data fetch`` does).

Target: fetch ≤ 2 × load.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from agents.oews.database import build_database, load_files, shipped_files
from agents.oews.fetch import BlsClient, fetch_release
from tests.fake_bls import FakeBls, archive_bytes, serve_bls, workbook_bytes


def fresh_database(folder: Path) -> Path:
    path = folder / "oews.sqlite"
    build_database(path, files=[f for f in shipped_files() if f.name.startswith("national_M2025")])
    return path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=None, help="Only the first N rows (default: all).")
    args = parser.parse_args()
    started = time.perf_counter()
    book = workbook_bytes("state_M2025_dl", limit=args.rows)
    archive = archive_bytes("oesm24st", {"state_M2024_dl.xlsx": book})
    print(
        f"archive: {len(archive) / 1e6:.1f} MB zip, workbook {len(book) / 1e6:.1f} MB "
        f"(built in {time.perf_counter() - started:.1f} s)"
    )
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "a").mkdir()
        (root / "b").mkdir()
        workbook = root / "state_M2024_dl.xlsx"
        workbook.write_bytes(book)

        db = fresh_database(root / "a")
        t0 = time.perf_counter()
        rows = load_files(db, [workbook])[0].rows
        load_s = time.perf_counter() - t0
        print(f"load:  {load_s:.2f} s ({rows:,} rows)")

        db = fresh_database(root / "b")
        with serve_bls(FakeBls(files={"oesm24st.zip": archive})) as fake:
            client = BlsClient(base_url=fake.url, contact="bench@example.org")
            t0 = time.perf_counter()
            files = fetch_release(client, 2024, ["state"], root / "downloads", extract_to=root / "x")
            download_s = time.perf_counter() - t0
            rows = load_files(db, files)[0].rows
            fetch_s = time.perf_counter() - t0
        print(f"fetch: {fetch_s:.2f} s ({rows:,} rows; download + check + extract {download_s:.2f} s)")
        print(f"fetch / load = {fetch_s / load_s:.2f} (target ≤ 2)")


if __name__ == "__main__":
    main()
