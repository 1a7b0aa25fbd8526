#!/usr/bin/env python3
"""A small server for PbDeploy's tests: real sockets, real processes, no mocks.

testservice.py [options]
  --port N          port to listen on (0: one the OS hands out)
  --host H          127.0.0.1 (default), 0.0.0.0, ::, ::1, or "dual" (0.0.0.0 and :: separately)
  --delay S         wait S seconds before listening
  --workers N       fork N workers that inherit the listening socket(s) (prefork: nginx, gunicorn)
  --orphan-workers  with --workers: once they run, the master exits, leaving its workers to init (a master that crashed)
  --setsid          lead a session and process group of its own first (as a detached or daemonized server does)
  --ignore-term     ignore SIGTERM
  --exit CODE       exit at once with CODE (after printing a line to stdout and stderr)
  --pidfile PATH    write the pid to PATH once listening
  --state PATH      write {"port", "pid", "workers"} as JSON to PATH once listening (atomically)
  --zombie          fork a child that listens and writes the state, then exits; the parent never reaps it
  --hup-reload      on SIGHUP, fork new workers and stop the old ones (the master keeps its pid)
  --client PORT     also keep a client connection open to 127.0.0.1:PORT
  --build B         serve "pid PID build B" (which build of an app serves)
Serves every connection a line "pid PID\n" and closes it.
"""
import argparse, json, os, signal, socket, sys, time


def write_atomic(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def listen(host, port):
    hosts = ["0.0.0.0", "::"] if host == "dual" else [host]
    socks = []
    for h in hosts:
        fam = socket.AF_INET6 if ":" in h else socket.AF_INET
        s = socket.socket(fam, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if fam == socket.AF_INET6:
            s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        s.bind((h, port))
        s.listen(16)
        s.set_inheritable(True)
        port = s.getsockname()[1]
        socks.append(s)
    return socks, port


BUILD = None


def serve(socks):
    import select
    while True:
        ready, _, _ = select.select(socks, [], [], 1.0)
        for s in ready:
            try:
                c, _ = s.accept()
                c.sendall(("pid %d%s\n" % (os.getpid(), "" if BUILD is None else " build " + BUILD)).encode())
                c.close()
            except OSError:
                pass


IGNORE_TERM = False


def die_with_parent():
    try:
        import ctypes
        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG: no orphaned workers
    except Exception:
        pass


def fork_workers(socks, n, orphans=False):
    pids = []
    for _ in range(n):
        pid = os.fork()
        if pid == 0:
            signal.signal(signal.SIGHUP, signal.SIG_DFL)
            signal.signal(signal.SIGTERM, signal.SIG_IGN if IGNORE_TERM else signal.SIG_DFL)
            if not orphans:
                die_with_parent()
            try:
                serve(socks)
            finally:
                os._exit(0)
        pids.append(pid)
    return pids


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--delay", type=float, default=0)
    p.add_argument("--workers", type=int, default=0)
    p.add_argument("--ignore-term", action="store_true")
    p.add_argument("--exit", type=int)
    p.add_argument("--pidfile")
    p.add_argument("--state")
    p.add_argument("--zombie", action="store_true")
    p.add_argument("--hup-reload", action="store_true")
    p.add_argument("--client", type=int)
    p.add_argument("--orphan-workers", action="store_true")
    p.add_argument("--setsid", action="store_true")
    p.add_argument("--drop-to", type=int, help="after binding, become this uid and gid (a server that binds as root)")
    p.add_argument("--build")
    a = p.parse_args()
    global BUILD
    BUILD = a.build
    if a.setsid:
        os.setsid()

    if a.exit is not None:
        print("testservice: exiting with %d" % a.exit)
        print("testservice: error output", file=sys.stderr)
        sys.exit(a.exit)
    global IGNORE_TERM
    IGNORE_TERM = a.ignore_term
    if a.ignore_term:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
    if a.delay:
        time.sleep(a.delay)

    if a.zombie:
        child = os.fork()
        if child == 0:
            socks, port = listen(a.host, a.port)
            if a.pidfile:
                write_atomic(a.pidfile, "%d\n" % os.getpid())
            write_atomic(a.state, json.dumps({"port": port, "pid": os.getpid(), "workers": [], "parent": os.getppid()}))
            time.sleep(0.5)
            os._exit(0)
        while True:
            time.sleep(3600)

    socks, port = listen(a.host, a.port)
    client = None
    if a.client:
        client = socket.create_connection(("127.0.0.1", a.client))
    workers = fork_workers(socks, a.workers, orphans=a.orphan_workers)
    if a.drop_to is not None:
        os.setgroups([])
        os.setgid(a.drop_to)
        os.setuid(a.drop_to)

    def state():
        if a.pidfile:
            write_atomic(a.pidfile, "%d\n" % os.getpid())
        if a.state:
            write_atomic(a.state, json.dumps({"port": port, "pid": os.getpid(), "workers": workers}))

    if a.hup_reload:
        def reload(*_):
            nonlocal workers
            old = workers
            workers = fork_workers(socks, a.workers, orphans=a.orphan_workers)
            for w in old:
                try:
                    os.kill(w, signal.SIGKILL)
                    os.waitpid(w, 0)
                except OSError:
                    pass
            state()
        signal.signal(signal.SIGHUP, reload)

    if a.workers and not a.ignore_term:
        def terminate(*_):
            for w in workers:
                try:
                    os.kill(w, signal.SIGTERM)
                except OSError:
                    pass
            os._exit(0)
        signal.signal(signal.SIGTERM, terminate)

    state()
    print("testservice: pid %d listening on %s port %d" % (os.getpid(), a.host, port), flush=True)
    if a.orphan_workers:
        os._exit(0)  # the workers run on, children of init (or a subreaper) now
    if a.workers:
        while True:
            try:
                os.wait()
            except ChildProcessError:
                time.sleep(1)
            except InterruptedError:
                pass
    else:
        serve(socks)


if __name__ == "__main__":
    main()
