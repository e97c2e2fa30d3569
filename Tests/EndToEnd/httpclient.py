"""A raw-socket HTTP/1.1 client for tests that need control over every byte (pipelining, splits, slow clients)."""
import socket
import time


def connect(port, timeout=30):
    sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def request_bytes(path, method="GET", host="localhost", headers=(), version="HTTP/1.1"):
    lines = ["%s %s %s" % (method, path, version), "Host: %s" % host] + ["%s: %s" % h for h in headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


class Reader:
    """Reads responses one at a time from a socket, keeping leftover bytes for the next one."""

    def __init__(self, sock):
        self.sock = sock
        self.buffer = b""

    def _fill(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed by server")
        self.buffer += chunk

    def response(self, head_only=False):
        while b"\r\n\r\n" not in self.buffer:
            self._fill()
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ")[1])
        headers = {}
        for line in lines[1:]:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
        length = 0 if head_only else int(headers.get("content-length", "0"))
        while len(self.buffer) < length:
            self._fill()
        body, self.buffer = self.buffer[:length], self.buffer[length:]
        return status, headers, body

    def closed(self, timeout=5):
        """True when the server closes the connection within `timeout` seconds."""
        self.sock.settimeout(timeout)
        try:
            while True:
                chunk = self.sock.recv(65536)
                if not chunk:
                    return True
                self.buffer += chunk
        except (socket.timeout, TimeoutError):
            return False
        except ConnectionResetError:
            return True


def get(port, path, **kwargs):
    sock = connect(port)
    try:
        sock.sendall(request_bytes(path, headers=[("Connection", "close")] + list(kwargs.pop("headers", [])), **kwargs))
        return Reader(sock).response(head_only=kwargs.get("method") == "HEAD")
    finally:
        sock.close()


def metric(text, name, labels=""):
    """The value of one sample in a Prometheus exposition, 0 when absent."""
    prefix = name + (("{" + labels + "}") if labels else "")
    for line in text.splitlines():
        if line.startswith(prefix + " "):
            return float(line.split()[-1])
    return 0.0


def wait_for(predicate, timeout=20, interval=0.05):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    return predicate()
