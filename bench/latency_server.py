#!/usr/bin/env python3
"""Static HTTP/1.1 server that sleeps before answering each request.

Fallback for bench/run when tests/server (yumda-test-server) cannot be built;
whichever server is used serves BOTH tools, so the comparison stays fair.

    latency_server.py --root DIR [--port 0] [--latency-ms 40]

Prints the port on stdout (one line), then serves until SIGTERM.
"""
import argparse
import functools
import http.server
import sys
import time


class Handler(http.server.SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as real mirrors do
    latency = 0.0

    def _nap(self):
        if self.latency > 0:
            time.sleep(self.latency)

    def do_GET(self):
        self._nap()
        super().do_GET()

    def do_HEAD(self):
        self._nap()
        super().do_HEAD()

    def log_message(self, *args):
        pass


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", required=True)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--latency-ms", type=int, default=0)
    a = ap.parse_args()
    Handler.latency = a.latency_ms / 1000.0
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", a.port), functools.partial(Handler, directory=a.root))
    print(server.server_address[1], flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
