"""Hostile-client tools shared by test_hostile.py, test_crash_safety.py and soak.py: raw-socket exchanges that
tolerate resets, every response in a byte stream, RSS sampling, percentiles, and a figures file for the report."""
import json
import os
import pathlib
import random
import resource
import socket
import time

ROOT = pathlib.Path(__file__).resolve().parents[2]
FIGURES = ROOT / "test-artifacts" / "hardening-figures.json"


def record_figure(name, value):
    """Prints a measured figure and keeps it in test-artifacts/hardening-figures.json (reported, never asserted)."""
    FIGURES.parent.mkdir(exist_ok=True)
    figures = json.loads(FIGURES.read_text()) if FIGURES.exists() else {}
    figures[name] = value
    FIGURES.write_text(json.dumps(figures, indent=2, sort_keys=True))
    print("FIGURE %s = %s" % (name, value))


def percentile(values, fraction):
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def raise_fd_limit(wanted=40000):
    """Raises RLIMIT_NOFILE for this process and the servers it starts (root may raise the hard limit too)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = max(soft, wanted)
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, max(hard, target)))
    except (ValueError, PermissionError):
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def rss_kib(pid):
    """VmRSS of a process in KiB, or None when it is gone."""
    try:
        for line in pathlib.Path("/proc/%d/status" % pid).read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except FileNotFoundError:
        return None
    return None


def parse_responses(data):
    """Every complete response in `data` as (status, headers, body); raises ValueError on a malformed one.
    Bodies are framed by Content-Length (this server never sends chunked)."""
    responses = []
    while data:
        end = data.find(b"\r\n\r\n")
        if end < 0:
            raise ValueError("incomplete response head: %r" % data[:200])
        lines = data[:end].decode("latin-1").split("\r\n")
        parts = lines[0].split(" ", 2)
        if len(parts) < 2 or not parts[0].startswith("HTTP/1.") or not parts[1].isdigit():
            raise ValueError("malformed status line: %r" % lines[0])
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length", "0"))
        body = data[end + 4:end + 4 + length]
        if len(body) < length:
            raise ValueError("truncated body: %d of %d bytes" % (len(body), length))
        responses.append((int(parts[1]), headers, body))
        data = data[end + 4 + length:]
    return responses


def exchange(port, payload, timeout=15, half_close=True, head=False, source=None):
    """Sends `payload` on a new connection (from loopback address `source`, such as 127.0.0.2, to look like another
    client), half-closes, and reads until the server closes.
    Returns (bytes received, how it ended: 'eof', 'reset' or 'timeout')."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=timeout,
                                    source_address=(source, 0) if source else None)
    received = b""
    try:
        try:
            sock.sendall(payload)
            if half_close:
                sock.shutdown(socket.SHUT_WR)
        except (BrokenPipeError, ConnectionResetError):
            pass  # refused and closed before we finished sending: whatever came back is still read below
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                chunk = sock.recv(65536)
            except (ConnectionResetError, BrokenPipeError):
                return received, "reset"
            except socket.timeout:
                return received, "timeout"
            if not chunk:
                return received, "eof"
            received += chunk
        return received, "timeout"
    finally:
        sock.close()


def timed_get(port, path, timeout=30, source=None):
    """One GET on a fresh connection: (status or None on failure, seconds)."""
    started = time.monotonic()
    try:
        data, _ = exchange(port, ("GET %s HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n" % path).encode(),
                           timeout=timeout, half_close=False, source=source)
        responses = parse_responses(data)
        return (responses[0][0] if responses else None), time.monotonic() - started
    except (OSError, ValueError):
        return None, time.monotonic() - started


# Requests a seeded generator mutates: valid ones of every route, pipelined pairs, and framing edge cases. No HEAD:
# its answers carry a Content-Length without a body, which a byte stream alone cannot frame.
BASE_REQUESTS = [
    b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /tiles/forward-pass/1/0/1.png HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /tiles/gradient-basin.json HTTP/1.1\r\nHost: x\r\nX-Forwarded-Prefix: /a/\r\n\r\n",
    b"GET /probe/backprop-flow?re=0.25&im=-0.5 HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /maps.json HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
    b"GET /vendor/leaflet/leaflet.css HTTP/1.1\r\nHost: x\r\nIf-None-Match: \"a\", W/\"b\"\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabcGET /metrics HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /index.html HTTP/1.1\nHost: x\n\n",
]
TOKENS = [b"\r\n", b"\n", b"\r", b" ", b"\t", b":", b"%", b"%2e", b"%2f", b"%00", b"..", b"/", b"?", b"\x00", b"\xff",
          b"\x7f", b"Content-Length: 5\r\n", b"Transfer-Encoding: chunked\r\n", b"Host: y\r\n", b"HTTP/1.1",
          b"HTTP/2.0", b"GET ", b"POST ", b"@2x", b"99999999999999999999", b"-1", b"\xc0\xae"]


def garbage_cases(count, seed=7):
    """`count` hostile inputs, the same for a given seed: mutated requests, random bytes, oversized parts."""
    rng = random.Random(seed)
    fixed = [
        b"GET /" + b"a" * 70000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: x\r\nX: " + b"b" * 40000 + b"\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: x\r\n" + b"X-N: 1\r\n" * 200 + b"\r\n",
        b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999999999\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 4096\r\n\r\n" + b"z" * 4096,
        b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03" + bytes(rng.randrange(256) for _ in range(160)),
        b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
        b"\r\n" * 5000,
        b"GET / HTTP/1.1\r\n" + b"\r\n",
        b"DELETE /tiles HTTP/1.1\r\nHost: x\r\n\r\n",
        bytes(range(256)) * 40,
    ]
    cases = list(fixed)
    while len(cases) < count:
        kind = rng.random()
        if kind < 0.15:
            cases.append(bytes(rng.randrange(256) for _ in range(rng.randrange(1, 400))))
            continue
        data = bytearray(rng.choice(BASE_REQUESTS))
        for _ in range(rng.randrange(1, 6)):
            action = rng.randrange(5)
            position = rng.randrange(len(data) + 1)
            if action == 0 and data:
                data[min(position, len(data) - 1)] = rng.randrange(256)
            elif action == 1:
                data[position:position] = rng.choice(TOKENS)
            elif action == 2 and data:
                del data[position:position + rng.randrange(1, 8)]
            elif action == 3:
                data[position:position] = rng.choice(TOKENS) * rng.randrange(2, 300)
            else:
                data[position:position] = rng.choice(BASE_REQUESTS)
        cases.append(bytes(data))
    return cases[:count]
