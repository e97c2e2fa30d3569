"""HTTPolice (a third-party HTTP linter) on exchanges captured from a live server: every route, conditional and
preflight requests, and the errors. Fails on any notice of severity "error"; the whole report (comments included) is
written to test-artifacts/httpolice.txt.

HTTPolice 0.9 needs bitstring < 4, older than what other tools here install, so `make deps-test` puts it in its own
directory (.build-httpolice) and it runs in a subprocess with only that on its path.
"""
import json
import pathlib
import subprocess
import sys

import hostile
from conftest import ROOT

HTTPOLICE = ROOT / ".build-httpolice"

TILE = "/tiles/forward-pass/2/1/1.png"
# (method, target, extra request headers): each sent on its own connection with Host and Connection: close.
REQUESTS = [
    ("GET", "/", []),
    ("GET", "/index.html", []),
    ("GET", "/healthz", []),
    ("GET", TILE, []),
    ("GET", TILE, [("If-None-Match", "{etag}")]),
    ("GET", TILE, [("If-Match", '"nope"')]),
    ("HEAD", TILE, []),
    ("GET", TILE, [("Origin", "https://example.org")]),
    ("OPTIONS", TILE, [("Origin", "https://example.org"), ("Access-Control-Request-Method", "GET")]),
    ("OPTIONS", "*", []),
    ("GET", "/tiles/forward-pass.json", []),
    ("GET", "/maps.json", []),
    ("GET", "/probe/backprop-flow?re=0.3&im=0.2", []),
    ("GET", "/metrics", []),
    ("GET", "/tiles/forward-pass/2/9/0.png", []),
    ("GET", "/tiles/forward-pass/03/1/0.png", []),
    ("GET", "/tiles/no-such-map/0/0/0.png", []),
    ("GET", "/probe/forward-pass?re=x&im=0", []),
    ("DELETE", TILE, []),
    ("BREW", TILE, []),
]

CHECK = r"""
import json, sys
import httpolice
exchanges = []
for item in json.load(open(sys.argv[1])):
    request = httpolice.Request("http", item["method"], item["target"], "HTTP/1.1",
                                [tuple(entry) for entry in item["request_headers"]], b"")
    response = httpolice.Response("HTTP/1.1", item["status"], item["reason"], [tuple(entry) for entry in item["headers"]],
                                  bytes.fromhex(item["body"]))
    exchange = httpolice.Exchange(request, [response])
    httpolice.check_exchange(exchange)
    exchanges.append(exchange)
with open(sys.argv[2], "wb") as report:
    httpolice.text_report(exchanges, report)
print(json.dumps([[c.id, c.severity.name] for exchange in exchanges for c in exchange.complaints]
                 + [[c.id, c.severity.name] for exchange in exchanges for response in exchange.responses
                    for c in response.complaints]))
"""


def capture(port, method, target, headers):
    request_headers = [("Host", "127.0.0.1:%d" % port), ("User-Agent", "fractile-tests")] + headers + [("Connection", "close")]
    payload = "%s %s HTTP/1.1\r\n" % (method, target)
    payload += "".join("%s: %s\r\n" % entry for entry in request_headers) + "\r\n"
    data, _ = hostile.exchange(port, payload.encode("latin-1"), half_close=False)
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    _, status, reason = lines[0].split(" ", 2)
    response_headers = [[part.strip() for part in line.split(":", 1)] for line in lines[1:]]
    return {"method": method, "target": target, "request_headers": request_headers, "status": int(status),
            "reason": reason,
            "headers": response_headers, "body": (b"" if method == "HEAD" else body).hex()}


def test_httpolice_finds_no_errors_in_live_exchanges(server, artifacts, tmp_path):
    assert (HTTPOLICE / "httpolice").is_dir(), "HTTPolice is missing: run `make deps-test`"
    etag = next(value for name, value in server.get(TILE)[1].items() if name.lower() == "etag")
    captured = [capture(server.port, method, target, [(name, value.format(etag=etag)) for name, value in headers])
                for method, target, headers in REQUESTS]
    statuses = [item["status"] for item in captured]
    assert statuses == [200, 200, 200, 200, 304, 412, 200, 200, 204, 204, 200, 200, 200, 200,
                        404, 404, 404, 400, 405, 501], statuses
    exchanges = tmp_path / "exchanges.json"
    exchanges.write_text(json.dumps(captured))
    report = artifacts / "httpolice.txt"
    result = subprocess.run([sys.executable, "-c", CHECK, str(exchanges), str(report)], capture_output=True,
                            text=True, timeout=300, env={"PYTHONPATH": str(HTTPOLICE), "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr
    complaints = json.loads(result.stdout)
    errors = [notice for notice, severity in complaints if severity == "error"]
    assert not errors, "HTTPolice errors %s:\n%s" % (errors, report.read_text())
