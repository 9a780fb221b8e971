"""The batch over a folder as consultants keep one: copies, look-alike names, a corrupt client.

    python bench/batch.py [--workers 2] [--n-boot 2000] [--trials 10000]

Builds a source folder with the four sample clients, a copy of one of them
(the same client name in another folder), a client whose name differs from
another's only in case and punctuation, a client with a hostile name and one
with a corrupt decision log. Then times ``run_batch`` on it, and a second run
with ``resume=True`` (nothing changed: every good client is skipped without a
kernel), and checks that no two source folders share an output folder.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from pathlib import Path

from opsdx.workbook.batch import run_batch

SAMPLES = Path(__file__).resolve().parent.parent / "sample_data"


def _client(src: str, dest: Path, name: str | None = None) -> None:
    shutil.copytree(SAMPLES / src, dest)
    if name is not None:
        lines = (dest / "client.yaml").read_text().splitlines()
        lines = [f"name: {json.dumps(name)}" if line.startswith("name:") else line
                 for line in lines]
        (dest / "client.yaml").write_text("\n".join(lines) + "\n")


def build(source: Path) -> None:
    for folder in sorted(p for p in SAMPLES.iterdir() if (p / "client.yaml").is_file()):
        _client(folder.name, source / folder.name)
    _client("meridian-care", source / "zz-copy")                            # a copied folder
    _client("harbour-analytics", source / "harbour-2", name="HARBOUR analytics!")
    _client("kestrel-software", source / "hostile",
            name='Acme"); import os; os.system("touch pwned") #')
    _client("northwind-freight", source / "corrupt")
    (source / "corrupt" / "decisions.csv").write_text("decision_id,raised_at\nd1,2025-01-01\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--n-boot", type=int, default=2000)
    parser.add_argument("--trials", type=int, default=10_000)
    args = parser.parse_args()
    options = dict(workers=args.workers, progress=False, n_boot=args.n_boot, trials=args.trials)
    with tempfile.TemporaryDirectory() as tmp:
        source, out = Path(tmp) / "clients", Path(tmp) / "out"
        source.mkdir()
        build(source)
        t = time.perf_counter()
        first = run_batch(source, out, **options)
        first_s = time.perf_counter() - t
        t = time.perf_counter()
        again = run_batch(source, out, resume=True, **options)
        again_s = time.perf_counter() - t
        registry = json.loads((out / "clients.json").read_text())["clients"]
        folders = {e["slug"] for e in registry}
        assert len(folders) == len(registry) == len({e["source"] for e in registry})
    n = len(first.rows)
    print(f"{n} client folders ({len(first.succeeded)} good, {len(first.failed)} with bad data), "
          f"{args.workers} workers:")
    print(f"  first run            {first_s:6.1f} s")
    print(f"  --resume, unchanged  {again_s:6.1f} s  ({len(again.skipped)} skipped, "
          f"{len(again.succeeded)} run again, {len(again.failed)} failed again without a kernel)")
    print(f"  output folders: {len(folders)} for {len(registry)} source folders, none shared: "
          + ", ".join(sorted(folders)))


if __name__ == "__main__":
    main()
