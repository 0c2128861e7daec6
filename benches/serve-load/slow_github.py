#!/usr/bin/env python3
"""A fake GitHub REST API that answers every request slowly, for benches/serve-load/run.

It answers just the calls `flowgate serve` makes for a `pull_request` delivery of
Codertocat/Hello-World (installation 1): the installation token, the App's delivery list (the
redelivery pass), the PR, its files, commits and reviews, the policy file (404: the bundled
default policy applies), the check-run lookup, create and update, and the tier label. Anything
else is a 404 like GitHub's. Each answer waits --delay-ms first (500 ms unless told), so the
workers evaluate slowly while the webhook is under load: acknowledgements must not wait on them.

Any PR number is answered, as the payload's PR with that number, so a run may spread its
deliveries over several PRs (the `PRS` setting of `run`).

Python standard library only. It binds 127.0.0.1 only, on --port (0: any free port), and writes
the port it got to --port-file. On SIGTERM or SIGINT it writes its request counts, by route, to
--stats (JSON) and exits.
"""

import argparse
import datetime
import json
import os
import re
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

REPO = "Codertocat/Hello-World"
INSTALLATION = 1


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--payload", required=True, help="a pull_request webhook payload (JSON)")
    p.add_argument("--delay-ms", type=int, default=500, help="wait before every answer (default 500)")
    p.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: any free one)")
    p.add_argument("--port-file", help="write the bound port here once listening")
    p.add_argument("--stats", help="write request counts by route here (JSON) on exit")
    return p.parse_args()


class Fake:
    def __init__(self, payload, delay):
        self.pull = payload["pull_request"]
        self.head_sha = self.pull["head"]["sha"]
        self.delay = delay
        self.lock = threading.Lock()
        self.counts = {}
        self.in_flight = 0
        self.max_in_flight = 0
        self.started = time.time()

    def pull_numbered(self, number):
        pull = dict(self.pull)
        pull["number"] = number
        return pull

    def count(self, route, delta_in_flight=0):
        with self.lock:
            if route is not None:
                self.counts[route] = self.counts.get(route, 0) + 1
            self.in_flight += delta_in_flight
            self.max_in_flight = max(self.max_in_flight, self.in_flight)

    def stats(self):
        with self.lock:
            return {
                "requests": sum(self.counts.values()),
                "by_route": dict(sorted(self.counts.items())),
                "max_in_flight": self.max_in_flight,
                "delay_ms": int(self.delay * 1000),
                "seconds": round(time.time() - self.started, 1),
            }

    def answer(self, method, path):
        """(route name, status, JSON value) for a request."""
        path, _, _query = path.partition("?")
        repo = "/repos/" + REPO
        if method == "POST" and path == f"/app/installations/{INSTALLATION}/access_tokens":
            expires = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=1)
            return "token", 201, {"token": "ghs_x", "expires_at": expires.strftime("%Y-%m-%dT%H:%M:%SZ")}
        if method == "GET" and path == "/app/hook/deliveries":
            return "hook deliveries", 200, []
        if method == "GET" and path == f"{repo}/installation":
            return "installation", 200, {"id": INSTALLATION}
        m = re.fullmatch(re.escape(repo) + r"/pulls/(\d+)(/files|/commits|/reviews)?", path)
        if method == "GET" and m:
            number, part = int(m.group(1)), m.group(2)
            if part is None:
                return "pull", 200, self.pull_numbered(number)
            if part == "/files":
                return "files", 200, [{
                    "filename": "src/lib.rs", "status": "modified", "additions": 1, "deletions": 1,
                    "changes": 2, "patch": "@@ -1 +1 @@\n-a\n+b",
                }]
            if part == "/commits":
                return "commits", 200, [{
                    "sha": self.head_sha,
                    "commit": {
                        "message": "Update the README",
                        "author": {"name": "Codertocat", "email": "21031067+Codertocat@users.noreply.github.com"},
                        "committer": {"name": "Codertocat", "email": "21031067+Codertocat@users.noreply.github.com"},
                    },
                    "author": {"login": "Codertocat"},
                    "committer": {"login": "Codertocat"},
                }]
            return "reviews", 200, []
        if method == "GET" and re.fullmatch(re.escape(repo) + r"/issues/\d+/events", path):
            return "events", 200, []
        if method == "GET" and path.startswith(f"{repo}/contents/"):
            return "contents", 404, {"message": "Not Found"}
        if method == "GET" and re.fullmatch(re.escape(repo) + r"/commits/[^/]+/check-runs", path):
            return "find check run", 200, {"total_count": 0, "check_runs": []}
        if method == "POST" and path == f"{repo}/check-runs":
            return "create check run", 201, {"id": 1}
        if method == "PATCH" and re.fullmatch(re.escape(repo) + r"/check-runs/\d+", path):
            return "update check run", 200, {"id": 1}
        if method == "POST" and re.fullmatch(re.escape(repo) + r"/issues/\d+/labels", path):
            return "add label", 200, []
        if method == "DELETE" and re.fullmatch(re.escape(repo) + r"/issues/\d+/labels/.+", path):
            return "remove label", 200, []
        return "not found", 404, {"message": "Not Found"}


def handler_for(fake):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as GitHub's API
        server_version = "slow-github"

        def handle_any(self):
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(length)
            fake.count(None, +1)
            try:
                time.sleep(fake.delay)
                route, status, value = fake.answer(self.command, self.path)
                fake.count(route)
                body = json.dumps(value).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.send_header("X-RateLimit-Limit", "5000")
                self.send_header("X-RateLimit-Remaining", "4999")
                self.end_headers()
                self.wfile.write(body)
            finally:
                fake.count(None, -1)

        do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = handle_any

        def log_message(self, *args):
            pass

    return Handler


def main():
    args = parse_args()
    with open(args.payload, "rb") as f:
        payload = json.load(f)
    fake = Fake(payload, args.delay_ms / 1000.0)
    server = ThreadingHTTPServer(("127.0.0.1", args.port), handler_for(fake))
    server.daemon_threads = True

    def stop(*_):
        if args.stats:
            with open(args.stats, "w") as f:
                json.dump(fake.stats(), f, indent=1)
        # shutdown() waits for serve_forever, which runs on this thread: leave from here instead.
        sys.stdout.flush()
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    port = server.server_address[1]
    if args.port_file:
        with open(args.port_file + ".tmp", "w") as f:
            f.write(str(port))
        # Renamed into place, so a reader never sees half a number.
        os.replace(args.port_file + ".tmp", args.port_file)
    print(f"slow_github: listening on 127.0.0.1:{port}, {args.delay_ms} ms per answer", file=sys.stderr)
    server.serve_forever()


if __name__ == "__main__":
    main()
