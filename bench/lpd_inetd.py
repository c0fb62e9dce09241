#!/usr/bin/env python3
"""A one-service inetd for the benchmark: runs a program per TCP connection,
the way inetd(8) runs cups-lpd ("printer stream tcp nowait lp cups-lpd ...").

  bench/lpd_inetd.py [--listen 127.0.0.1:0] [--log FILE] [--backlog N]
                     [--grace S] [--fork] -- PROGRAM [ARG...]

Listens on a loopback address (port 0: any free port) and prints
`lpd_inetd: listening on 127.0.0.1:PORT` once it does. For each connection
it starts a child that puts the connection on fds 0 and 1 and the log file
(default /dev/null) on fd 2, restores the default signal dispositions and
execs PROGRAM with its arguments and this process's environment (so
CUPS_SERVER=HOST:PORT set by the caller reaches cups-lpd). The child comes
from posix_spawn(3) (glibc: clone(CLONE_VFORK) then dup2 and exec in the
child): the same steps as inetd's fork, dup2, exec, at the cost of a fork of
a small C inetd. A plain fork() of this Python process costs about 1 ms more
per connection (copying and then faulting its page tables), which would be
charged to the server under test; --fork uses it anyway. Children are
reaped as they exit. SIGTERM (or SIGINT) stops accepting, waits up to
--grace seconds (default 10) for the children still running, kills the rest
by PID and exits; on the way out it prints one line with how many
connections it served. Standard library only.
"""
import argparse
import ipaddress
import os
import signal
import socket
import sys
import time


class Stop(Exception):
    """SIGTERM or SIGINT arrived."""


def parse_listen(text):
    host, _, port = text.rpartition(":")
    host = host.strip("[]")
    if not ipaddress.ip_address(host).is_loopback:
        raise SystemExit(f"lpd_inetd: {host} is not a loopback address")
    return host, int(port)


def reap(children):
    """Collects every child that has exited; never blocks."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            children.clear()
            return
        if pid == 0:
            return
        children.discard(pid)


# Python ignores SIGPIPE and SIGXFSZ and handles TERM/INT/CHLD here; ignored
# dispositions survive exec, so the child gets the defaults back.
CHILD_DEFAULT_SIGNALS = (signal.SIGPIPE, signal.SIGXFSZ, signal.SIGTERM, signal.SIGINT, signal.SIGCHLD)


def spawn(conn, program, log_fd):
    """dup2 + exec in a vfork-style child, as inetd does for a `nowait` stream service."""
    return os.posix_spawn(program[0], program, os.environ,
                          file_actions=[(os.POSIX_SPAWN_DUP2, conn.fileno(), 0),
                                        (os.POSIX_SPAWN_DUP2, conn.fileno(), 1),
                                        (os.POSIX_SPAWN_DUP2, log_fd, 2)],
                          setsigmask=[], setsigdef=CHILD_DEFAULT_SIGNALS)


def fork_exec(conn, program, log_fd):
    """fork + dup2 + exec, literally (--fork)."""
    pid = os.fork()
    if pid:
        return pid
    try:
        for sig in CHILD_DEFAULT_SIGNALS:
            signal.signal(sig, signal.SIG_DFL)
        signal.pthread_sigmask(signal.SIG_SETMASK, [])
        os.dup2(conn.fileno(), 0)
        os.dup2(conn.fileno(), 1)
        os.dup2(log_fd, 2)
        os.execv(program[0], program)  # every other descriptor is close-on-exec
    except BaseException as e:  # noqa: BLE001 - the child must never return into the parent's loop
        os.write(log_fd, f"lpd_inetd: cannot exec {program[0]}: {e}\n".encode())
    os._exit(127)


def stop_children(children, grace):
    deadline = time.monotonic() + grace
    while children and time.monotonic() < deadline:
        reap(children)
        time.sleep(0.02)
    for pid in list(children):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    while children:
        try:
            pid, _ = os.waitpid(-1, 0)
        except ChildProcessError:
            break
        children.discard(pid)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--listen", default="127.0.0.1:0", help="loopback HOST:PORT (port 0: any free one)")
    ap.add_argument("--log", default=os.devnull, help="where the children's stderr goes (appended)")
    ap.add_argument("--backlog", type=int, default=1024, help="listen(2) backlog")
    ap.add_argument("--grace", type=float, default=10.0, help="seconds to wait for children on SIGTERM")
    ap.add_argument("--fork", action="store_true", help="start children with os.fork() (slower) "
                                                        "instead of posix_spawn")
    ap.add_argument("program", nargs=argparse.REMAINDER, help="-- PROGRAM [ARG...]")
    args = ap.parse_args()
    program = args.program[1:] if args.program[:1] == ["--"] else args.program
    if not program or not os.access(program[0], os.X_OK):
        ap.error("needs -- PROGRAM [ARG...] (an executable path)")

    host, port = parse_listen(args.listen)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    lsock = socket.socket(family, socket.SOCK_STREAM)
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.bind((host, port))
    lsock.listen(args.backlog)
    log_fd = os.open(args.log, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_CLOEXEC, 0o644)

    children = set()
    served = 0

    def on_stop(*_):
        raise Stop()

    signal.signal(signal.SIGTERM, on_stop)
    signal.signal(signal.SIGINT, on_stop)
    # Reap in the handler: Python retries an interrupted accept() by itself,
    # so a loop that reaps only between accepts would leave zombies while idle.
    # (Python handlers run in the main thread between bytecodes, not in signal
    # context, so waitpid() and the set are safe here.)
    signal.signal(signal.SIGCHLD, lambda *_: reap(children))
    print(f"lpd_inetd: listening on {host}:{lsock.getsockname()[1]}", flush=True)
    try:
        while True:
            reap(children)
            try:
                conn, _ = lsock.accept()
            except InterruptedError:
                continue
            except OSError as e:  # EMFILE and the like: say so and keep serving
                print(f"lpd_inetd: accept: {e}", file=sys.stderr, flush=True)
                time.sleep(0.01)
                continue
            # SIGCHLD waits until the new PID is in the set, so that a child
            # that exits at once is not reaped before it is recorded.
            signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGCHLD])
            try:
                children.add((fork_exec if args.fork else spawn)(conn, program, log_fd))
                served += 1
            except OSError as e:  # no child: the client sees the connection close
                print(f"lpd_inetd: spawn: {e}", file=sys.stderr, flush=True)
            finally:
                signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGCHLD])
                conn.close()
    except Stop:
        pass
    finally:
        lsock.close()
        # No more signals to interrupt the wait for the last children.
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        left = len(children)
        stop_children(children, args.grace)
        print(f"lpd_inetd: served {served} connections; {left} still running at the stop", flush=True)


if __name__ == "__main__":
    main()
