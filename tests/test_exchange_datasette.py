"""Central publishing: Datasette serves the same SQLite directory, read-only (docs/publishing.md).

Starts the real ``datasette serve --immutable directory.db`` on loopback and reads the
service table as JSON. No home-made server.
"""

from __future__ import annotations

import hashlib
import json
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

pytest.importorskip(
    "datasette", reason="datasette is a test dependency (pip install -e '.[test]') and could not be imported here"
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get_json(url: str):
    with urllib.request.urlopen(url, timeout=5) as resp:
        return json.loads(resp.read())


@pytest.mark.slow
def test_datasette_serves_the_directory_read_only(directory_db, directory_store):
    before = hashlib.sha256(directory_db.read_bytes()).hexdigest()
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "datasette",
            "serve",
            "--immutable",
            str(directory_db),
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                get_json(base + "/-/versions.json")
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    out = proc.stdout.read().decode(errors="replace") if proc.poll() is not None else ""
                    pytest.fail(f"datasette did not start: {out[-2000:]}")
                time.sleep(0.2)
        page = get_json(base + "/directory/service.json?_shape=objects&_size=max")
        assert len(page["rows"]) == directory_store.count_services()
        assert {row["name"] for row in page["rows"]} == {s.name for s in directory_store.all_services()}
        plain = get_json(base + "/directory/service.json")
        assert plain["table"] == "service" and plain["rows"]
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
    assert hashlib.sha256(directory_db.read_bytes()).hexdigest() == before  # served, never written
