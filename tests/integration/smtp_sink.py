#!/usr/bin/env python3
"""An SMTP server for tests (RFC 5321), standard library only: it accepts
mail on a loopback port and keeps every message, so a test can check what
Quire sent. Python 3.12 dropped smtpd and aiosmtpd is not part of the
standard library, hence this.

It speaks EHLO/HELO, STARTTLS (RFC 3207), AUTH PLAIN and LOGIN (RFC 4954),
MAIL, RCPT, DATA (with dot-unstuffing), RSET, NOOP and QUIT, and can be
made to misbehave: require TLS or AUTH, refuse recipients, fail temporarily,
or accept a connection and never greet.

As a module:
    sink = SmtpSink(cert=..., key=..., users={"u": "p"})
    sink.start(); ... sink.port ...; sink.wait_for(1, 10); sink.messages; sink.stop()
As a command (runs until SIGTERM; the port is written to --port-file once
listening; each message is written to --dir as NNN.eml, its envelope as
NNN.env with "sender:", "recipient:", "tls:" and "auth:" lines):
    python3 smtp_sink.py --port-file F --dir D [--cert C --key K] [--require-tls]
        [--smtps] [--user u:p]... [--reject-rcpt SUBSTR]... [--tempfail [rcpt|data]]
        [--hang] [--auth-mechs "PLAIN LOGIN"] [--max-size N] [--reject-data]
"""

import argparse
import base64
import binascii
import dataclasses
import os
import signal
import socket
import socketserver
import ssl
import sys
import threading
import time

MAX_LINE = 1000  # RFC 5321 section 4.5.3.1.6: a text line with its CRLF
MAX_COMMAND = 512  # section 4.5.3.1.4


@dataclasses.dataclass
class Message:
    sender: str
    recipients: list
    data: bytes  # as received after dot-unstuffing, CRLF line ends kept
    tls: bool
    auth_user: str  # "" when not authenticated


class _Closed(Exception):
    pass


class _Cancelled(Exception):
    pass


class _Session(socketserver.BaseRequestHandler):
    """One client connection. The sink is self.server.sink."""

    def setup(self):
        self.sink = self.server.sink
        self.sock = self.request
        self.buf = b""
        self.tls = self.sink.smtps
        self.helo = None
        self.auth_user = ""
        self.reset()
        self.sink._track(self.sock, True)

    def finish(self):
        self.sink._track(self.sock, False)

    def reset(self):
        self.sender = None
        self.recipients = []

    # I/O -------------------------------------------------------------

    def send(self, line):
        self.sock.sendall(line.encode("ascii") + b"\r\n")

    def readline(self, limit):
        while b"\n" not in self.buf:
            if len(self.buf) > limit:
                raise _Closed("line too long")
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                if self.sink._stopping.is_set():
                    raise _Closed("stopping")
                continue
            if not chunk:
                raise _Closed("peer closed")
            self.buf += chunk
        line, _, self.buf = self.buf.partition(b"\n")
        return line + b"\n"

    def handle(self):
        self.sock.settimeout(0.5)  # lets a stopping sink end every session
        try:
            if self.tls:
                self.handshake()
            if self.sink.hang_after_connect:
                while not self.sink._stopping.is_set():
                    self.readline(1 << 20)  # reads and ignores until the peer leaves
                return
            self.send("220 sink.test ESMTP quire test sink")
            while True:
                line = self.readline(MAX_COMMAND)
                if len(line) > MAX_COMMAND:
                    self.send("500 5.5.6 Line too long")
                    continue
                if not self.command(line.rstrip(b"\r\n").decode("latin-1")):
                    return
        except (_Closed, ssl.SSLError, OSError):
            return

    def handshake(self):
        self.sock.settimeout(10)
        self.sock.do_handshake()
        self.sock.settimeout(0.5)

    # Commands ---------------------------------------------------------

    def command(self, line):
        """False when the session ends."""
        verb, _, arg = line.partition(" ")
        verb = verb.upper()
        handler = getattr(self, "cmd_" + verb.lower(), None) if verb.isalpha() else None
        if handler is None:
            if verb in ("VRFY", "EXPN", "HELP", "TURN", "ETRN", "BDAT"):
                self.send("502 5.5.1 Command not implemented")
            else:
                self.send("500 5.5.2 Command unrecognized")
            return True
        return handler(arg.strip()) is not False  # handlers return False to end the session

    def cmd_ehlo(self, arg):
        if not arg:
            return self.send("501 5.5.4 EHLO needs a domain")
        self.helo = arg
        self.reset()
        lines = ["sink.test greets " + arg, "8BITMIME", "SIZE %d" % self.sink.max_size]
        if self.sink.cert and not self.tls:
            lines.append("STARTTLS")
        if self.sink.users and not self.auth_user:
            lines.append("AUTH " + " ".join(self.sink.mechanisms))
        for i, text in enumerate(lines):
            self.send("250" + ("-" if i + 1 < len(lines) else " ") + text)

    def cmd_helo(self, arg):
        if not arg:
            return self.send("501 5.5.4 HELO needs a domain")
        self.helo = arg
        self.reset()
        return self.send("250 sink.test")

    def cmd_starttls(self, arg):
        if not self.sink.cert or self.tls:
            return self.send("502 5.5.1 STARTTLS not available")
        self.send("220 2.0.0 Ready to start TLS")
        # RFC 3207 section 4.2: forget everything from before, including
        # commands a client (or an attacker) sent ahead in plain text.
        self.buf = b""
        self.sink._track(self.sock, False)
        self.sock = self.sink._context().wrap_socket(
            self.sock, server_side=True, do_handshake_on_connect=False)
        self.sink._track(self.sock, True)
        self.handshake()
        self.tls = True
        self.helo = None
        self.auth_user = ""
        self.reset()

    def cmd_auth(self, arg):
        if not self.sink.users or self.helo is None:
            return self.send("503 5.5.1 AUTH not available")
        if self.auth_user:
            return self.send("503 5.5.1 Already authenticated")
        if self.sender is not None:
            return self.send("503 5.5.1 AUTH during a mail transaction")
        mech, _, initial = arg.partition(" ")
        mech = mech.upper()
        if mech not in self.sink.mechanisms:
            return self.send("504 5.5.4 Unrecognized authentication type")
        try:
            if mech == "PLAIN":
                blob = self.challenge("", initial)
                _authz, user, password = blob.split(b"\0", 2)
            else:
                user = self.challenge("VXNlcm5hbWU6", initial)  # "Username:"
                password = self.challenge("UGFzc3dvcmQ6", "")  # "Password:"
            user, password = user.decode("utf-8"), password.decode("utf-8")
        except _Cancelled:
            return self.send("501 5.7.0 Authentication cancelled")
        except (ValueError, binascii.Error, UnicodeDecodeError):
            return self.send("501 5.5.2 Cannot decode the response")
        if self.sink.users.get(user) != password:
            return self.send("535 5.7.8 Authentication credentials invalid")
        self.auth_user = user
        return self.send("235 2.7.0 Authentication successful")

    def challenge(self, prompt, initial):
        if initial:
            text = initial
        else:
            self.send("334 " + prompt)
            text = self.readline(MAX_LINE).rstrip(b"\r\n").decode("ascii")
        if text == "*":
            raise _Cancelled()
        if text == "=":
            return b""
        return base64.b64decode(text, validate=True)

    def cmd_mail(self, arg):
        if self.helo is None:
            return self.send("503 5.5.1 Send EHLO first")
        if self.sender is not None:
            return self.send("503 5.5.1 Nested MAIL command")
        if self.sink.require_tls and not self.tls:
            return self.send("530 5.7.0 Must issue a STARTTLS command first")
        if self.sink.users and not self.auth_user:
            return self.send("530 5.7.0 Authentication required")
        path, params = _path(arg, "FROM:")
        if path is None:
            return self.send("501 5.5.4 Syntax: MAIL FROM:<address>")
        for p in params:
            key, _, value = p.partition("=")
            if key.upper() == "SIZE" and value.isdigit() and int(value) > self.sink.max_size:
                return self.send("552 5.3.4 Message size exceeds fixed limit")
        self.sender = path
        return self.send("250 2.1.0 OK")

    def cmd_rcpt(self, arg):
        if self.sender is None:
            return self.send("503 5.5.1 Need MAIL command")
        path, _params = _path(arg, "TO:")
        if not path:
            return self.send("501 5.5.4 Syntax: RCPT TO:<address>")
        if self.sink.tempfail == "rcpt":
            return self.send("451 4.3.0 Temporary failure, try again later")
        if self.sink._rejects(path):
            return self.send("550 5.1.1 <%s>: Recipient address rejected" % path)
        self.recipients.append(path)
        return self.send("250 2.1.5 OK")

    def cmd_data(self, arg):
        if not self.recipients:
            return self.send("503 5.5.1 Need RCPT command")
        if self.sink.tempfail == "data":
            return self.send("451 4.3.0 Temporary failure, try again later")
        self.send("354 End data with <CR><LF>.<CR><LF>")
        data, too_big = [], False
        size = 0
        while True:
            line = self.readline(self.sink.max_size)
            if line in (b".\r\n", b".\n"):
                break
            if line.startswith(b"."):
                line = line[1:]  # RFC 5321 section 4.5.2
            size += len(line)
            if size > self.sink.max_size:
                too_big = True
            elif not too_big:
                data.append(line)
        if too_big:
            self.send("552 5.3.4 Message size exceeds fixed limit")
        elif self.sink.reject_data:
            self.send("554 5.6.0 Message content rejected")
        else:
            n = self.sink._deliver(Message(self.sender, list(self.recipients), b"".join(data),
                                           self.tls, self.auth_user))
            self.send("250 2.0.0 OK: queued as %03d" % n)
        self.reset()

    def cmd_rset(self, arg):
        self.reset()
        return self.send("250 2.0.0 OK")

    def cmd_noop(self, arg):
        return self.send("250 2.0.0 OK")

    def cmd_quit(self, arg):
        self.send("221 2.0.0 Bye")
        return False


def _path(arg, keyword):
    """("address", [params]) from "FROM:<address> SIZE=1", (None, []) if malformed."""
    if not arg.upper().startswith(keyword):
        return None, []
    rest = arg[len(keyword):].lstrip()
    if not rest.startswith("<") or ">" not in rest:
        return None, []
    path, _, params = rest[1:].partition(">")
    return path, params.split()


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def get_request(self):
        sock, addr = self.socket.accept()
        if self.sink.smtps:
            # The handshake runs in the session's thread, not the accept loop.
            sock = self.sink._context().wrap_socket(
                sock, server_side=True, do_handshake_on_connect=False)
        return sock, addr


class SmtpSink:
    """A threaded SMTP server on 127.0.0.1. Options (all optional):
    folder: also write each message there as NNN.eml and NNN.env;
    cert, key: PEM files; with them STARTTLS is offered (or, with smtps,
      TLS starts at accept);
    require_tls: 530 to MAIL before STARTTLS;
    users: {"user": "password"}: AUTH is offered and required (530 before,
      535 for wrong credentials); mechanisms: which of PLAIN and LOGIN;
    reject_recipients: a set of addresses or a predicate: 550 to RCPT;
    tempfail: "rcpt" or "data" (True means "rcpt"): 451 to that command;
    hang_after_connect: accept connections but never greet;
    max_size: the SIZE offered and enforced (552 to MAIL or after DATA);
    reject_data: 554 after the message's data, which is not kept."""

    def __init__(self, host="127.0.0.1", port=0, folder=None, cert=None, key=None,
                 require_tls=False, smtps=False, users=None, reject_recipients=None,
                 tempfail=None, hang_after_connect=False, mechanisms=("PLAIN", "LOGIN"),
                 max_size=10 * 1024 * 1024, reject_data=False):
        if (require_tls or smtps) and not cert:
            raise ValueError("require_tls and smtps need cert and key")
        self.host, self._port, self.folder = host, port, folder
        self.cert, self.key = cert, key
        self.require_tls, self.smtps = require_tls, smtps
        self.users = dict(users or {})
        self.mechanisms = tuple(m.upper() for m in mechanisms)
        self.reject_recipients = reject_recipients
        self.tempfail = "rcpt" if tempfail is True else (tempfail or None)
        self.hang_after_connect = hang_after_connect
        self.max_size = max_size
        self.reject_data = reject_data
        self.messages = []
        self._lock = threading.Condition()
        self._stopping = threading.Event()
        self._sockets = set()
        self._ssl = None
        self._server = None
        self._thread = None

    @property
    def port(self):
        return self._server.server_address[1] if self._server else self._port

    def start(self):
        if self.folder:
            os.makedirs(self.folder, exist_ok=True)
        self._server = _Server((self.host, self._port), _Session, bind_and_activate=True)
        self._server.sink = self
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.1}, daemon=True)
        self._thread.start()
        return self

    def stop(self):
        self._stopping.set()
        if self._server:
            self._server.shutdown()
            self._server.server_close()
        with self._lock:
            for s in list(self._sockets):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def wait_for(self, n, timeout=10.0):
        """The first n messages, or AssertionError when they do not come in time."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while len(self.messages) < n:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError("%d of %d messages after %.1f s"
                                         % (len(self.messages), n, timeout))
                self._lock.wait(left)
            return list(self.messages[:n])

    # For the sessions ---------------------------------------------------

    def _context(self):
        with self._lock:
            if self._ssl is None:
                ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
                ctx.load_cert_chain(self.cert, self.key)
                self._ssl = ctx
            return self._ssl

    def _track(self, sock, add):
        with self._lock:
            (self._sockets.add if add else self._sockets.discard)(sock)

    def _rejects(self, address):
        r = self.reject_recipients
        if r is None:
            return False
        if callable(r):
            return bool(r(address))
        return address.lower() in {a.lower() for a in r}

    def _deliver(self, msg):
        with self._lock:
            self.messages.append(msg)
            n = len(self.messages)
            if self.folder:
                self._write(n, msg)
            self._lock.notify_all()
            return n

    def _write(self, n, msg):
        base = os.path.join(self.folder, "%03d" % n)
        env = ["sender: " + msg.sender]
        env += ["recipient: " + r for r in msg.recipients]
        env += ["tls: " + ("yes" if msg.tls else "no"), "auth: " + msg.auth_user]
        with open(base + ".env", "w", encoding="utf-8") as f:
            f.write("\n".join(env) + "\n")
        # The .eml last, and whole: a reader waits for it.
        with open(base + ".eml.tmp", "wb") as f:
            f.write(msg.data)
        os.replace(base + ".eml.tmp", base + ".eml")


def main(argv=None):
    ap = argparse.ArgumentParser(description="An SMTP sink for tests.")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file", help="written with the port once listening")
    ap.add_argument("--dir", help="folder for NNN.eml and NNN.env")
    ap.add_argument("--cert")
    ap.add_argument("--key")
    ap.add_argument("--require-tls", action="store_true")
    ap.add_argument("--smtps", action="store_true", help="TLS from the first byte")
    ap.add_argument("--user", action="append", default=[], metavar="USER:PASSWORD")
    ap.add_argument("--auth-mechs", default="PLAIN LOGIN")
    ap.add_argument("--reject-rcpt", action="append", default=[], metavar="SUBSTR")
    ap.add_argument("--tempfail", nargs="?", const="rcpt", choices=("rcpt", "data"))
    ap.add_argument("--hang", action="store_true", help="accept, never greet")
    ap.add_argument("--max-size", type=int, default=10 * 1024 * 1024)
    ap.add_argument("--reject-data", action="store_true", help="554 after the data")
    a = ap.parse_args(argv)
    users = dict(u.split(":", 1) for u in a.user)
    rejects = (lambda addr: any(s in addr for s in a.reject_rcpt)) if a.reject_rcpt else None
    sink = SmtpSink(port=a.port, folder=a.dir, cert=a.cert, key=a.key,
                    require_tls=a.require_tls, smtps=a.smtps, users=users,
                    reject_recipients=rejects, tempfail=a.tempfail,
                    hang_after_connect=a.hang, mechanisms=a.auth_mechs.split(),
                    max_size=a.max_size, reject_data=a.reject_data)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    sink.start()
    if a.port_file:
        tmp = a.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % sink.port)
        os.replace(tmp, a.port_file)  # a reader never sees half a number
    else:
        print(sink.port, flush=True)
    while not done.wait(1.0):
        pass
    sink.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
