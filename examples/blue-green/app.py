"""A tiny HTTP app for the blue-green example (Python's standard library only): every GET answers
"version V on port N". pbdeploy starts it in the foreground ("daemonizes": false) on the free one of its two ports.

app.py --port N --version V   (defaults: $PORT, and "unknown")

On SIGTERM (pbdeploy stop, or the end of a blue-green deploy once nginx uses the new copy) it stops accepting,
finishes the requests it is answering, then exits 0.
"""
import argparse
import os
import signal
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "0")))
    parser.add_argument("--version", default="unknown")
    args = parser.parse_args()
    body = ("version %s on port %d\n" % (args.version, args.port)).encode("utf-8")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_):
            pass  # one line per request would fill logs/app.log during a curl loop

    ThreadingHTTPServer.daemon_threads = False  # so that server_close() waits for the requests in flight
    ThreadingHTTPServer.allow_reuse_address = True
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)

    # serve_forever() returns once shutdown() is called, which must happen on another thread than its own.
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown, daemon=True).start())
    print("app version %s listening on port %d, pid %d" % (args.version, args.port, os.getpid()), flush=True)
    server.serve_forever(poll_interval=0.1)
    server.server_close()  # stop listening, then wait for the requests still being answered
    print("app version %s on port %d stopped after finishing its requests" % (args.version, args.port), flush=True)


if __name__ == "__main__":
    main()
