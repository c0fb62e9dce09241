"""A small WebSocket (RFC 6455) client for the tests, standard library only:
the handshake, masked frames out, frames in (with fragments reassembled),
and raw frames for the tests that misbehave on purpose."""
import base64
import hashlib
import json
import os
import socket
import struct

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


class HandshakeRefused(Exception):
    def __init__(self, status, headers, body):
        super().__init__("handshake refused: %d %s" % (status, body[:200]))
        self.status = status
        self.headers = headers
        self.body = body


class WsClient:
    def __init__(self, address, path="/api/v1/events", auth=None, timeout=10, extra_headers=()):
        host, port = address.rsplit(":", 1)
        self.sock = socket.create_connection((host, int(port)), timeout=timeout)
        key = base64.b64encode(os.urandom(16)).decode()
        lines = ["GET %s HTTP/1.1" % path, "Host: %s" % address, "Upgrade: websocket", "Connection: Upgrade",
                 "Sec-WebSocket-Key: " + key, "Sec-WebSocket-Version: 13"]
        if auth:
            lines.append("Authorization: Basic " + base64.b64encode(("%s:%s" % auth).encode()).decode())
        lines += list(extra_headers)
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        self.buf = b""
        head = self._read_until(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        status = int(status_line.split()[1])
        headers = {}
        for h in header_lines:
            if ":" in h:
                k, v = h.split(":", 1)
                headers[k.strip().lower()] = v.strip()
        if status != 101:
            length = int(headers.get("content-length", "0"))
            body = self._read_exactly(length)
            self.sock.close()
            raise HandshakeRefused(status, headers, body.decode(errors="replace"))
        want = base64.b64encode(hashlib.sha1((key + GUID).encode()).digest()).decode()
        assert headers.get("sec-websocket-accept") == want, headers
        self.closed = None  # (code, reason) once the server closed

    # --- bytes --------------------------------------------------------------------

    def _fill(self):
        data = self.sock.recv(65536)
        if not data:
            raise ConnectionError("the server closed the connection")
        self.buf += data

    def _read_until(self, marker):
        while marker not in self.buf:
            self._fill()
        at = self.buf.index(marker) + len(marker)
        out, self.buf = self.buf[:at], self.buf[at:]
        return out

    def _read_exactly(self, n):
        while len(self.buf) < n:
            self._fill()
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    # --- frames -------------------------------------------------------------------

    @staticmethod
    def frame(opcode, payload, fin=True, mask=True, length_override=None):
        first = (0x80 if fin else 0) | opcode
        n = len(payload) if length_override is None else length_override
        if n < 126:
            head = struct.pack(">BB", first, (0x80 if mask else 0) | n)
        elif n < 65536:
            head = struct.pack(">BBH", first, (0x80 if mask else 0) | 126, n)
        else:
            head = struct.pack(">BBQ", first, (0x80 if mask else 0) | 127, n)
        if not mask:
            return head + payload
        key = os.urandom(4)
        return head + key + bytes(b ^ key[i % 4] for i, b in enumerate(payload))

    def send_raw(self, data):
        self.sock.sendall(data)

    def send_text(self, text):
        self.send_raw(self.frame(0x1, text.encode()))

    def send_json(self, obj):
        self.send_text(json.dumps(obj))

    def read_frame(self):
        b0, b1 = self._read_exactly(2)
        opcode, fin = b0 & 0x0F, bool(b0 & 0x80)
        n = b1 & 0x7F
        if n == 126:
            n = struct.unpack(">H", self._read_exactly(2))[0]
        elif n == 127:
            n = struct.unpack(">Q", self._read_exactly(8))[0]
        if b1 & 0x80:
            key = self._read_exactly(4)
            payload = bytes(b ^ key[i % 4] for i, b in enumerate(self._read_exactly(n)))
        else:
            payload = self._read_exactly(n)
        return opcode, fin, payload

    def read_message(self):
        """The next text message (str); pings are answered; a close frame
        sets self.closed and returns None."""
        parts = []
        while True:
            opcode, fin, payload = self.read_frame()
            if opcode == 0x9:  # ping
                self.send_raw(self.frame(0xA, payload))
                continue
            if opcode == 0xA:
                continue
            if opcode == 0x8:
                code = struct.unpack(">H", payload[:2])[0] if len(payload) >= 2 else 1005
                self.closed = (code, payload[2:].decode(errors="replace"))
                return None
            parts.append(payload)
            if fin:
                return b"".join(parts).decode()

    def read_json(self):
        text = self.read_message()
        return None if text is None else json.loads(text)

    def read_until(self, predicate, limit=200):
        """Reads JSON messages until one satisfies `predicate`; returns it
        and everything read before it."""
        seen = []
        for _ in range(limit):
            m = self.read_json()
            if m is None:
                raise ConnectionError("closed: %s" % (self.closed,))
            seen.append(m)
            if predicate(m):
                return m, seen
        raise AssertionError("no matching message in %d: %s" % (limit, seen[-5:]))

    def close(self, code=1000):
        try:
            self.send_raw(self.frame(0x8, struct.pack(">H", code)))
            while self.closed is None:
                if self.read_message() is None and self.closed is not None:
                    break
        except (OSError, ConnectionError):
            pass
        finally:
            self.sock.close()
