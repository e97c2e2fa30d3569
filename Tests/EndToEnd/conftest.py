"""Fixtures for end-to-end tests: the real `fractile` binary, real servers on free ports, temporary caches."""
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import threading
import time
import urllib.request

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "Tests" / "EndToEnd"))
sys.path.insert(0, str(ROOT / "Tests" / "reference"))
ARTIFACTS = ROOT / "test-artifacts"


def binary():
    path = os.environ.get("FRACTILE_BIN", str(ROOT / ".build" / "release" / "fractile"))
    if not os.path.exists(path):
        pytest.fail("fractile binary not built: run `make build` (or set FRACTILE_BIN)")
    return path


def run_cli(*args, cwd=ROOT, timeout=120):
    return subprocess.run([binary(), *map(str, args)], cwd=cwd, capture_output=True, text=True, timeout=timeout)


class Server:
    """A `fractile serve` process on 127.0.0.1 with port 0; `url` holds the port it really bound."""

    def __init__(self, config_path, cache_dir, extra_env=None, args=()):
        env = dict(os.environ, **(extra_env or {}))
        self.process = subprocess.Popen(
            [binary(), "serve", "--config", str(config_path), "--host", "127.0.0.1", "--port", "0",
             "--cache-directory", str(cache_dir), *args],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        line = self.process.stdout.readline()
        match = re.search(r"listening on port (\d+)", line)
        if not match:
            self.process.kill()
            raise RuntimeError("server did not start: %r %s" % (line, self.process.stderr.read()))
        self.port = int(match.group(1))
        self.url = "http://127.0.0.1:%d" % self.port
        # Drain both pipes all the time: a full pipe would block the server's log writes.
        self.log_lines, self.error_lines = [], []
        self._drains = [threading.Thread(target=self._drain, args=(stream, lines), daemon=True)
                        for stream, lines in [(self.process.stdout, self.log_lines),
                                              (self.process.stderr, self.error_lines)]]
        for drain in self._drains:
            drain.start()

    @staticmethod
    def _drain(stream, lines):
        for line in stream:
            lines.append(line.rstrip("\n"))

    def get(self, path, headers=None, timeout=60):
        request = urllib.request.Request(self.url + path, headers=headers or {})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()

    def json(self, path):
        status, _, body = self.get(path)
        assert status == 200, (path, status, body)
        return json.loads(body)

    def stop(self, sig=None):
        if self.process.poll() is None:
            self.process.send_signal(sig or 15)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        for drain in self._drains:
            drain.join(timeout=5)
        return self.process.returncode


def write_config(directory, **overrides):
    """The shipped config.json with overrides per section, written to `directory`."""
    config = json.loads((ROOT / "config.json").read_text())
    for section, values in overrides.items():
        if section == "maps":
            config["maps"] = values
        else:
            config.setdefault(section, {}).update(values)
    path = pathlib.Path(directory) / "config.json"
    path.write_text(json.dumps(config, indent=2))
    return path


@pytest.fixture
def server(tmp_path):
    config = write_config(tmp_path)
    started = Server(config, tmp_path / "cache")
    yield started
    started.stop()


@pytest.fixture
def start_server(tmp_path):
    """Starts servers with custom settings; all are stopped at the end."""
    servers = []

    def start(cache_dir=None, extra_env=None, args=(), **overrides):
        config = write_config(tmp_path, **overrides)
        started = Server(config, cache_dir or tmp_path / "cache", extra_env=extra_env, args=args)
        servers.append(started)
        return started

    yield start
    for started in servers:
        started.stop()


@pytest.fixture(scope="session")
def artifacts():
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
