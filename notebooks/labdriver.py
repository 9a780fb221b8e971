"""Drive JupyterLab in Debian's Chromium: a server on localhost, a notebook opened and run.

Used by the browser test of the interview (``tests/test_live.py``) and by
``make_screenshot.py`` for the README's screenshot. Nothing is downloaded: the
browser is the system's Chromium, driven by playwright.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def jupyterlab(root: Path, *, timeout: float = 90):
    """A JupyterLab server on localhost serving ``root``; yields (base URL, token).

    Its settings, workspaces and runtime files live in ``root`` (the user's are
    never read or written), and ``window.jupyterapp`` is exposed so that a test
    can run JupyterLab's own commands.
    """
    root = Path(root)
    port, token = _free_port(), secrets.token_hex(16)
    state = root / ".jupyter-state"
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(state / "config"),
               JUPYTERLAB_SETTINGS_DIR=str(state / "settings"),
               JUPYTERLAB_WORKSPACES_DIR=str(state / "workspaces"),
               JUPYTER_RUNTIME_DIR=str(state / "runtime"))
    quiet = state / "settings" / "@jupyterlab" / "apputils-extension"
    quiet.mkdir(parents=True, exist_ok=True)  # no "get notified about news?" toast
    (quiet / "notification.jupyterlab-settings").write_text('{"fetchNews": "false"}')
    log = open(root / ".jupyter-state.log", "wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
         f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
         "--allow-root", "--expose-app-in-browser", "--LabApp.news_url=",
         "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"],
        env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=5):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"JupyterLab did not start; its log: {log.name}") from None
                time.sleep(0.5)
        yield base, token
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def open_and_run(page, base: str, token: str, notebook: str, *, timeout_ms: int = 120_000):
    """Open ``notebook`` (a path under the server's root) and run all its cells."""
    page.goto(f"{base}/lab/tree/{notebook}?token={token}", timeout=timeout_ms)
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=timeout_ms)
    page.wait_for_function(
        "() => { const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;"
        " return w && w.sessionContext && w.sessionContext.session"
        " && w.sessionContext.session.kernel"
        " && w.sessionContext.session.kernel.connectionStatus === 'connected'; }",
        timeout=timeout_ms)
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")


@contextlib.contextmanager
def chromium_page(width: int = 1400, height: int = 1000):
    """A page of headless Chromium (playwright over the system's browser)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        try:
            yield browser.new_page(viewport={"width": width, "height": height})
        finally:
            browser.close()
