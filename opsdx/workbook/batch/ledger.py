"""The output folder's records: the ledger, the lock, the registry of client folders, the hashes.

* ``ledger.jsonl``: one row per client run, appended and never rewritten
  (:func:`read_ledger`, :func:`_append_ledger`);
* ``.opsdx-batch.lock``: one batch at a time writes to a folder (:class:`_Lock`);
* ``clients.json``: which source folder each output folder belongs to
  (:class:`_Registry`);
* the hashes that tell whether a client is already done for the same inputs
  (:func:`_hash_inputs`) and whether a folder holds the same files
  (:func:`_hash_files`).
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from ... import __version__
from ...client import slugify
from ...errors import OpsdxError
from ...output import write_text

__all__ = ["read_ledger"]


def _hash_files(client_dir: Path) -> str:
    """The folder's files (by relative path and content), not the folder's own path.

    What tells a renamed or moved client folder from a new engagement: the
    same files are the same client. The lock an interview takes beside
    ``interviews.csv`` (an empty ``.opsdx-*.lock``) is not a file of the client.
    """
    digest = hashlib.sha256()
    for path in sorted(p for p in client_dir.rglob("*") if p.is_file()
                       and not (p.name.startswith(".opsdx-") and p.name.endswith(".lock"))):
        digest.update(str(path.relative_to(client_dir)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _hash_inputs(files_hash: str, notebook: Path, parameters: dict) -> str:
    """What a result depends on: the folder's files, the notebook, the options, the version.

    The folder's own path is left out, so that a renamed or moved folder with
    the same files is still done (``--resume`` skips it).
    """
    digest = hashlib.sha256(files_hash.encode())
    digest.update(notebook.read_bytes())
    options = {k: v for k, v in parameters.items() if k != "client_dir"}
    digest.update(json.dumps(options, sort_keys=True).encode())
    digest.update(__version__.encode())
    return digest.hexdigest()


def read_ledger(out: Path) -> list[dict]:
    """The ledger's rows (a line that cannot be read, e.g. cut by a crash, is skipped)."""
    path = Path(out) / "ledger.jsonl"
    if not path.is_file():
        return []
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return rows


def _append_ledger(out: Path, rows: list[dict]) -> None:
    """Append rows, one line each, durably (the batch holds the folder's lock)."""
    text = "".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in rows)
    with open(out / "ledger.jsonl", "a", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())


class _Lock:
    """An exclusive lock on the output folder: one batch at a time writes there."""

    def __init__(self, out: Path):
        self.path = out / ".opsdx-batch.lock"
        self.fh = None

    def __enter__(self):
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows: no lock, documented
            return self
        self.fh = open(self.path, "a")
        try:
            fcntl.flock(self.fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            self.fh.close()
            raise OpsdxError(f"another opsdx batch is writing to {self.path.parent}; wait for "
                             "it to finish or choose another --out") from None
        return self

    def __exit__(self, *exc):
        if self.fh is not None:
            self.fh.close()


_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)),
             *(f"lpt{i}" for i in range(1, 10))}


class _Registry:
    """Which source folder each output folder belongs to: ``clients.json`` in the output folder.

    Each client's output folder is named from its name (the slug), and stays
    the same from run to run. The source folder is what tells clients apart:
    two folders whose names give the same slug (a copied folder, a second
    engagement with the same company, names that differ only in case or
    punctuation) get two output folders, the later one disambiguated by its
    source folder (``meridian-care-group--zz-copy``: a slug from a name never
    holds ``--``). A folder that was renamed or moved keeps its output
    folder: an entry whose source has gone is taken over by a folder with the
    same client name and the same files (the files hash of its last run), so
    that a new engagement never takes over an archived one whose source is
    gone or not mounted. No run ever gives a second client a folder already
    given.
    """

    FORMAT = 2

    def __init__(self, out: Path, hashes: dict | None = None):
        self.path = out / "clients.json"
        self.hashes = hashes or {}  # slug: the files hash of its last run (from the ledger)
        self.entries: list[dict] = []
        self.claimed: set[str] = set()  # slugs given in this run
        self.running: set[str] = set()  # source folders of this run
        if self.path.is_file():
            try:
                data = json.loads(self.path.read_text(encoding="utf-8"))
            except json.JSONDecodeError:
                raise OpsdxError(f"{self.path} is not valid JSON; it maps clients to their "
                                 "folders: restore it or choose another --out") from None
            self.entries = _registry_entries(data)

    def slug(self, folder: Path, name: str, files_hash: str = "") -> str:
        """The output folder of the client in ``folder`` (resolved), named ``name``."""
        source = str(folder)
        mine = next((e for e in self.entries if e["source"] == source), None)
        if mine is None:  # renamed or moved: its old folder gone, the same name and files
            orphans = [e for e in self.entries
                       if e["name"] == name and e["slug"] not in self.claimed
                       and (e["source"] is None  # the first format did not record folders
                            or (files_hash and self.hashes.get(e["slug"]) == files_hash
                                and e["source"] not in self.running
                                and not _is_client(e["source"])))]
            orphans.sort(key=lambda e: (Path(e["source"] or "").name != folder.name, e["slug"]))
            mine = orphans[0] if orphans else None
        if mine is None:
            mine = {"slug": self._new_slug(folder, name), "name": name, "source": source}
            self.entries.append(mine)
            changed = True
        else:
            changed = (mine["name"], mine["source"]) != (name, source)
            mine.update(name=name, source=source)
        self.claimed.add(mine["slug"])
        if changed:
            self._save()
        return mine["slug"]

    def assign(self, clients: list[tuple[Path, str, str]]) -> dict:
        """The output folder of each (source folder, name, files hash) of a run.

        Folders known from earlier runs keep theirs first; among new ones
        whose names collide, the folder named like the client (``acme`` for
        "Acme Ltd") gets the plain slug, then the others in path order. When
        a known folder now holds other files and a new folder of the run
        holds its old ones (``acme`` renamed ``acme-2024``, and a new
        ``acme`` begun), the output folder follows the files.
        """
        now = {str(folder): files for folder, _, files in clients}
        known = {e["source"] for e in self.entries}
        newcomers: dict = {}
        for folder, name, files in clients:
            if files and str(folder) not in known:
                newcomers.setdefault((name, files), []).append(str(folder))
        moved = False
        for e in self.entries:
            last = self.hashes.get(e["slug"])
            if last and now.get(e["source"], last) not in ("", last) \
                    and newcomers.get((e["name"], last)):
                e["source"] = newcomers[(e["name"], last)].pop(0)
                moved = True
        if moved:
            self._save()
            known = {e["source"] for e in self.entries}

        def order(client):
            folder, name, _ = client
            here, base = slugify(folder.name), slugify(name)
            return (str(folder) not in known, not base.startswith(here), str(folder))

        return {folder: self.slug(folder, name, files)
                for folder, name, files in sorted(clients, key=order)}

    def _new_slug(self, folder: Path, name: str) -> str:
        base = slugify(name)
        if base == "client" and name.strip().lower() != "client":
            # names in other scripts, or only punctuation: a stable short hash tells them apart
            base = "client-" + hashlib.sha256(name.encode()).hexdigest()[:8]
        if base in _RESERVED:  # names Windows refuses for a folder
            base = f"{base}-client"
        taken = {e["slug"] for e in self.entries}
        here, parent = slugify(folder.name), slugify(folder.parent.name)
        for slug in (base, f"{base}--{here}", f"{base}--{parent}-{here}"):
            if slug not in taken:
                return slug
        n = 2
        while f"{base}--{here}-{n}" in taken:
            n += 1
        return f"{base}--{here}-{n}"

    def source(self, slug: str) -> str | None:
        return next((e["source"] for e in self.entries if e["slug"] == slug), None)

    @property
    def slugs(self) -> list[str]:
        return sorted(e["slug"] for e in self.entries)

    def _save(self) -> None:
        entries = sorted(self.entries, key=lambda e: e["slug"])
        write_text(self.path, json.dumps({"format": self.FORMAT, "clients": entries}, indent=2,
                                         ensure_ascii=False) + "\n")


def _registry_entries(data) -> list[dict]:
    """Entries of ``clients.json``; the first format (``{"name:X": slug}``) is read too."""
    if isinstance(data, dict) and isinstance(data.get("clients"), list):
        return [{"slug": str(e["slug"]), "name": str(e.get("name", "")),
                 "source": e.get("source")} for e in data["clients"]
                if isinstance(e, dict) and "slug" in e]
    entries = []
    for key, slug in (data.items() if isinstance(data, dict) else []):
        kind, _, value = str(key).partition(":")
        entries.append({"slug": str(slug), "name": value if kind == "name" else Path(value).name,
                        "source": value if kind == "folder" else None})
    return entries


def _is_client(source: str | None) -> bool:
    return source is not None and (Path(source) / "client.yaml").is_file()
