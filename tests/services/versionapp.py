#!/usr/bin/env python3
"""A small HTTP app for PbDeploy's blue-green tests: it answers every GET with its version.

versionapp.py --port N [--version V] [--delay S]
  --port N     port to listen on, on 127.0.0.1 (default: $PORT)
  --version V  what it answers, "V\\n" (default: $VERSION)
  --delay S    take S seconds over each request (so that requests are in flight during a switch)
On SIGTERM it stops accepting, finishes the requests in flight, then exits 0: a graceful stop.
"""
import argparse, os, signal, sys, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, default=int(os.environ.get("PORT", "0")))
    p.add_argument("--version", default=os.environ.get("VERSION", "unknown"))
    p.add_argument("--delay", type=float, default=0.0)
    a = p.parse_args()
    body = (a.version + "\n").encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            time.sleep(a.delay)
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    ThreadingHTTPServer.daemon_threads = False  # server_close() waits for the requests in flight
    ThreadingHTTPServer.allow_reuse_address = True
    server = ThreadingHTTPServer(("127.0.0.1", a.port), Handler)

    def terminate(*_):
        # serve_forever must be stopped from another thread; the main thread then closes and joins.
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, terminate)
    print("versionapp %s listening on %d, pid %d" % (a.version, a.port, os.getpid()), flush=True)
    server.serve_forever(poll_interval=0.05)
    server.server_close()  # stop listening, then wait for the handlers still running
    print("versionapp %s stopped after finishing its requests" % a.version, flush=True)


if __name__ == "__main__":
    sys.exit(main())
