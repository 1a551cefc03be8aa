"""Tests talk to 127.0.0.1 only: with a proxy in the environment their HTTP clients still go
straight to the loopback server (a trap proxy counts every connection it gets), no test
builds a client that would read the environment, and Ray listens on 127.0.0.1 (see
tests/test_distributed.py for Ray in the tests; here the product's own ``ensure_ray``)."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from qa.load import make_article

from .conftest import (
    PROXY_VARIABLES,
    ROOT,
    app_client,
    loopback_http,
    require_module,
    running_app,
)


class TrapProxy:
    """A listening socket that counts the connections made to it and answers none."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.connections = 0
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        self.sock.close()


@pytest.fixture
def trap(monkeypatch):
    proxy = TrapProxy()
    for name in PROXY_VARIABLES:
        monkeypatch.setenv(name, proxy.url)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    yield proxy
    proxy.close()


class Hello(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - the http.server API
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"hello")

    def log_message(self, *args) -> None:
        pass


def test_the_run_starts_with_no_proxy_in_its_environment():
    import os

    assert not [name for name in PROXY_VARIABLES if os.environ.get(name)]


def test_loopback_http_ignores_a_proxy_in_the_environment(trap):
    import httpx

    server = ThreadingHTTPServer(("127.0.0.1", 0), Hello)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        with loopback_http(timeout=5) as http:
            assert http.get(url).text == "hello"
        assert trap.connections == 0
        # The trap works: a client that reads the environment goes to it.
        with pytest.raises(httpx.HTTPError), httpx.Client(timeout=2) as trusting:
            trusting.get(url)
        assert trap.connections >= 1
    finally:
        server.shutdown()


def test_the_app_client_ignores_a_proxy_in_the_environment(trap, fake_index):
    require_module("gradio_client")
    fake_index.add([make_article(title="Storm", text="A storm hit the coast.")])
    with running_app(fake_index) as url:
        client = app_client(url)
        text, _ = client.predict("What hit the coast?", api_name="/ask")
    assert "storm" in text.lower()
    assert trap.connections == 0


# Ways to make a request that read the proxy variables; tests use loopback_http/app_client.
ENVIRONMENT_CLIENTS = re.compile(
    r"httpx\.(?:get|post|put|delete|head|stream|request|Client|AsyncClient)\("
    r"|(?<![\w.])Client\(|urlopen\(|requests\.(?:get|post|Session)\("
    r"|Fetcher\((?![^)]*trust_env=False)"
)


def test_no_test_builds_a_client_that_reads_the_environment():
    offenders = []
    for path in sorted((ROOT / "tests").rglob("*.py")):
        if path.name in ("conftest.py", "test_loopback.py"):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if ENVIRONMENT_CLIENTS.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == []


@pytest.mark.ray
def test_a_local_ray_listens_on_loopback_only():
    require_module("ray")
    script = (
        "import os; os.environ['RAY_AUTH_MODE'] = 'disabled'\n"
        "from qa.distributed import ensure_ray\n"
        "ray = ensure_ray(1)\n"
        "print(ray.nodes()[0]['NodeManagerAddress'], ray.get_runtime_context().gcs_address)\n"
        "ray.shutdown()\n"
    )
    env = {k: v for k, v in __import__("os").environ.items() if not k.startswith("RAY_")}
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT, capture_output=True, text=True, timeout=180, env=env,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    node, gcs = done.stdout.split()[-2:]
    assert node == "127.0.0.1" and gcs.startswith("127.0.0.1:")
