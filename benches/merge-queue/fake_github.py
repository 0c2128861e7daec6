#!/usr/bin/env python3
"""A fake GitHub with a merge queue, for benches/merge-queue/run.

One repository, acme/shop (installation 1), with the example policy (examples/flowgate.yml) on
`main` and pull requests 1..--prs ready to queue, each built as the Rust test fake builds them
(tests/it/support/fake_github/queue.rs, `ready_pr`): title `ABC-n: step n`, label `ai:none`, one
commit by devN on the base, one modified file `src/queue/pr_n.rs` with a small patch, and one
APPROVED review by carol on the head.

The driver builds merge groups through a control endpoint, as GitHub's queue would
(queue.rs's `queue`): merge commits, squashes or rebased copies stacked on the base, one queue
branch per member (`refs/heads/gh-readonly-queue/main/pr-<N>-<sha it is stacked on>`). It then
serves what `flowgate serve` reads to verify a group: the compare of base...head, the queue's
branches (matching-refs, 100 a page with a Link header), the policy (contents API, raw), each
member's pull, files, commits and reviews, and the check-run calls; plus the App's token, its
delivery list (the redelivery pass) and the installation lookup. Anything else is a 404.

GitHub answers take --delay-ms each (100 by default, a realistic API latency). GETs carry an
ETag and are answered 304 when the client sends it back, as GitHub does. When a group's first
completed check run arrives (a POST or PATCH with a conclusion), its time and conclusion are
recorded and the group's queue branches are deleted: the queue merges (or drops) the group.

Control endpoints (answered at once, never counted as GitHub requests):
  POST /_bench/queue    {"members": [1, 2], "method": "merge"|"squash"|"rebase"} -> the group
                        ({head_sha, head_ref, base_sha, members, method})
  GET  /_bench/results  {head_sha: {"at": unix time, "conclusion", "title"}} for completed groups
  GET  /_bench/stats    request counts by route, 304s, the most requests in flight

Python standard library only. It binds 127.0.0.1 only, on --port (0: any free port), and writes
the port it got to --port-file. On SIGTERM or SIGINT it writes its stats to --stats and exits.
"""

import argparse
import datetime
import hashlib
import json
import os
import re
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

REPO = "acme/shop"
INSTALLATION = 1
BASE = "main"
BASE_SHA = "b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0"
REVIEWER = "carol"
POLICY_PATH = ".github/flowgate.yml"


def sha(seed):
    """queue.rs's `sha`: FNV-1a 64 of the seed, as 40 hex digits, so both fakes name alike."""
    h = 0xCBF29CE484222325
    for b in seed.encode():
        h = ((h ^ b) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    hexa = f"{h:016x}"
    return hexa + hexa + hexa[:8]


def person(name):
    return {"name": name, "email": f"{name}@example.com", "date": "2026-12-01T10:00:00Z"}


def commit(sha_, parents, message, author):
    return {
        "sha": sha_,
        "parents": [{"sha": p} for p in parents],
        "commit": {"message": message, "author": person(author), "committer": person(author)},
        "author": {"login": author},
        "committer": {"login": author},
    }


def own_file(n):
    return {
        "filename": f"src/queue/pr_{n}.rs", "status": "modified", "additions": 1, "deletions": 1, "changes": 2,
        "patch": f"@@ -1,2 +1,2 @@\n pub fn step() -> u32 {{\n-    {n}\n+    {n} + 1\n",
    }


def ready_pr(n):
    """queue.rs's `ready_pr`: an open PR that passes the example policy."""
    head = sha(f"head of {n}")
    author = f"dev{n}"
    pull = {
        "number": n, "state": "open", "draft": False, "title": f"ABC-{n}: step {n}", "body": "",
        "user": {"login": author, "type": "User"},
        "head": {"ref": f"feature/step-{n}", "sha": head, "repo": {"full_name": REPO}},
        "base": {"ref": BASE, "sha": BASE_SHA, "repo": {"full_name": REPO}},
        "labels": [{"name": "ai:none"}],
        "html_url": f"https://github.com/{REPO}/pull/{n}",
        "created_at": "2026-12-01T10:00:00Z", "updated_at": "2026-12-01T11:00:00Z",
        "requested_reviewers": [], "requested_teams": [],
    }
    reviews = [{"id": n, "user": {"login": REVIEWER, "type": "User"}, "state": "APPROVED",
                "commit_id": head, "submitted_at": "2026-12-01T11:00:00Z", "body": ""}]
    return {"pull": pull, "files": [own_file(n)], "commits": [commit(head, [BASE_SHA], f"Step {n}", author)],
            "reviews": reviews}


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--prs", type=int, default=100, help="ready PRs 1..N (default 100)")
    p.add_argument("--policy", required=True, help="the policy file served on main")
    p.add_argument("--delay-ms", type=int, default=100, help="wait before every GitHub answer (default 100)")
    p.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: any free one)")
    p.add_argument("--port-file", help="write the bound port here once listening")
    p.add_argument("--stats", help="write request counts by route here (JSON) on exit")
    return p.parse_args()


class Fake:
    def __init__(self, prs, policy, delay):
        self.pulls = {n: ready_pr(n) for n in range(1, prs + 1)}
        self.policy = policy
        self.delay = delay
        self.lock = threading.Lock()
        self.compares = {}       # (base, head) -> compare answer
        self.refs = []           # [(ref name, sha)], in the order the queue made them
        self.group_refs = {}     # head sha -> its queue branches' names
        self.groups = {}         # head sha -> the group
        self.check_runs = {}     # id -> {"head_sha", "status", "conclusion"}
        self.results = {}        # head sha -> first completed check run
        self.counts = {}
        self.not_modified = 0
        self.in_flight = 0
        self.max_in_flight = 0

    # The queue (control side).

    def queue(self, members, method):
        """queue.rs's `queue`: the group of `members` on the base, by `method`."""
        with self.lock:
            commits, files, refs = [], [], []
            tip = BASE_SHA
            for n in members:
                below = tip
                pr = self.pulls[n]
                head = pr["pull"]["head"]["sha"]
                title = pr["pull"]["title"]
                if method == "merge":
                    commits.extend(pr["commits"])
                    merge = sha(f"merge {n} onto {tip}")
                    message = f"Merge pull request #{n} from acme/feature/step-{n}\n\n{title}"
                    commits.append(commit(merge, [tip, head], message, "web-flow"))
                    tip = merge
                elif method == "squash":
                    squash = sha(f"squash {n} onto {tip}")
                    commits.append(commit(squash, [tip], f"{title} (#{n})", f"dev{n}"))
                    tip = squash
                elif method == "rebase":
                    for c in pr["commits"]:
                        # queue.rs formats the serde_json value, quotes included.
                        copy = sha(f"rebase \"{c['sha']}\" onto {tip}")
                        commits.append(commit(copy, [tip], c["commit"]["message"], c["commit"]["author"]["name"]))
                        tip = copy
                else:
                    raise ValueError(f"unknown merge method {method!r}")
                files.extend(pr["files"])
                # One queue branch per entry, stacked on the head of the entry ahead.
                refs.append((f"refs/heads/gh-readonly-queue/{BASE}/pr-{n}-{below}", tip))
            self.refs.extend(refs)
            self.group_refs[tip] = [name for name, _ in refs]
            self.compares[(BASE_SHA, tip)] = {
                "status": "ahead", "ahead_by": len(commits), "behind_by": 0,
                "total_commits": len(commits), "commits": commits, "files": files,
            }
            group = {"head_sha": tip, "head_ref": refs[-1][0], "base_sha": BASE_SHA,
                     "members": list(members), "method": method}
            self.groups[tip] = group
            return group

    def completed(self, head_sha, conclusion, title):
        """The first completed check run on a group: record it, and merge (or drop) the group."""
        if head_sha in self.results:
            return
        self.results[head_sha] = {"at": time.time(), "conclusion": conclusion, "title": title}
        names = set(self.group_refs.pop(head_sha, []))
        self.refs = [(n, s) for n, s in self.refs if n not in names]

    # GitHub.

    def count(self, route):
        with self.lock:
            self.counts[route] = self.counts.get(route, 0) + 1

    def stats(self):
        with self.lock:
            return {
                "requests": sum(self.counts.values()),
                "not_modified": self.not_modified,
                "by_route": dict(sorted(self.counts.items())),
                "max_in_flight": self.max_in_flight,
                "delay_ms": int(self.delay * 1000),
            }

    def answer(self, method, target, body):
        """(route name, status, JSON value or raw text, extra headers) for a GitHub request."""
        url = urlsplit(target)
        path, query = url.path, {k: v[-1] for k, v in parse_qs(url.query).items()}
        repo = "/repos/" + REPO
        if method == "POST" and path == f"/app/installations/{INSTALLATION}/access_tokens":
            expires = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=1)
            return "token", 201, {"token": "ghs_x", "expires_at": expires.strftime("%Y-%m-%dT%H:%M:%SZ")}, []
        if method == "GET" and path == "/app/hook/deliveries":
            return "hook deliveries", 200, [], []
        if method == "GET" and path == f"{repo}/installation":
            return "installation", 200, {"id": INSTALLATION}, []
        if not path.startswith(repo + "/"):
            return "not found", 404, {"message": "Not Found"}, []
        rest = path[len(repo) + 1:]
        with self.lock:
            return self.repo_answer(method, rest, query, body, target)

    def repo_answer(self, method, rest, query, body, target):
        m = re.fullmatch(r"compare/([0-9a-fA-F]+)\.\.\.([0-9a-fA-F]+)", rest)
        if method == "GET" and m:
            compare = self.compares.get((m.group(1), m.group(2)))
            if compare is None:
                return "compare", 404, {"message": "Not Found"}, []
            return "compare", 200, compare, []
        m = re.fullmatch(r"git/matching-refs/(.+)", rest)
        if method == "GET" and m:
            prefix = "refs/" + unquote(m.group(1))
            refs = [{"ref": n, "object": {"sha": s, "type": "commit"}} for n, s in self.refs if n.startswith(prefix)]
            return ("queue refs",) + paged(refs, query, target)
        if method == "GET" and rest.startswith("contents/"):
            file, ref = unquote(rest[len("contents/"):]), query.get("ref", BASE)
            if file == POLICY_PATH and ref in (BASE, f"refs/heads/{BASE}"):
                return "policy", 200, self.policy, []
            return "contents", 404, {"message": "Not Found"}, []
        m = re.fullmatch(r"pulls/(\d+)(/files|/commits|/reviews)?", rest)
        if method == "GET" and m:
            pr = self.pulls.get(int(m.group(1)))
            part = (m.group(2) or "/pull")[1:]
            if pr is None:
                return part, 404, {"message": "Not Found"}, []
            if part == "pull":
                return "pull", 200, pr["pull"], []
            return (part,) + paged(pr[part], query, target)
        if method == "GET" and re.fullmatch(r"commits/[0-9a-fA-F]+/check-runs", rest):
            head = rest.split("/")[1]
            runs = [{"id": i, "name": "flowgate", "head_sha": r["head_sha"], "status": r["status"],
                     "external_id": r.get("external_id", "")}
                    for i, r in sorted(self.check_runs.items(), reverse=True) if r["head_sha"] == head]
            return "find check run", 200, {"total_count": len(runs), "check_runs": runs}, []
        if method == "POST" and rest == "check-runs":
            value = json.loads(body or b"{}")
            if not value.get("name") or not value.get("head_sha"):
                return "create check run", 422, {"message": "name and head_sha are required"}, []
            run_id = 1000 + len(self.check_runs)
            self.check_runs[run_id] = {"head_sha": value["head_sha"], "status": "", "conclusion": None}
            self.apply(run_id, value)
            return "create check run", 201, {"id": run_id, "name": "flowgate"}, []
        m = re.fullmatch(r"check-runs/(\d+)", rest)
        if method == "PATCH" and m:
            run_id = int(m.group(1))
            if run_id not in self.check_runs:
                return "update check run", 404, {"message": "Not Found"}, []
            self.apply(run_id, json.loads(body or b"{}"))
            return "update check run", 200, {"id": run_id}, []
        return "not found", 404, {"message": "Not Found"}, []

    def apply(self, run_id, value):
        run = self.check_runs[run_id]
        if value.get("external_id"):
            run["external_id"] = value["external_id"]
        if value.get("conclusion"):
            run["conclusion"] = value["conclusion"]
            run["status"] = "completed"
            self.completed(run["head_sha"], value["conclusion"], (value.get("output") or {}).get("title", ""))
        elif value.get("status"):
            run["status"], run["conclusion"] = value["status"], None


def paged(items, query, target):
    """(status, a page of `items`, headers): GitHub's paging, with a Link to the next page."""
    per_page = max(1, int(query.get("per_page", 30)))
    page = max(1, int(query.get("page", 1)))
    start = (page - 1) * per_page
    headers = []
    if start + per_page < len(items):
        url = urlsplit(target)
        keep = [part for part in url.query.split("&") if part and not part.startswith("page=")]
        nxt = "&".join(keep + [f"page={page + 1}"])
        headers.append(("Link", f'<http://github.invalid{url.path}?{nxt}>; rel="next"'))
    return 200, items[start:start + per_page], headers


def handler_for(fake):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as GitHub's API
        server_version = "fake-github-queue"

        def reply(self, status, payload, headers=()):
            body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
            self.send_response(status)
            for name, value in headers:
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def control(self, body):
            if self.command == "POST" and self.path == "/_bench/queue":
                value = json.loads(body)
                try:
                    group = fake.queue(value["members"], value["method"])
                except (KeyError, ValueError) as e:
                    return self.reply(400, {"message": f"cannot queue: {e}"})
                return self.reply(201, group)
            if self.command == "GET" and self.path == "/_bench/results":
                with fake.lock:
                    return self.reply(200, dict(fake.results))
            if self.command == "GET" and self.path == "/_bench/stats":
                return self.reply(200, fake.stats())
            return self.reply(404, {"message": "no such control endpoint"})

        def handle_any(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            if self.path.startswith("/_bench/"):
                return self.control(body)
            with fake.lock:
                fake.in_flight += 1
                fake.max_in_flight = max(fake.max_in_flight, fake.in_flight)
            try:
                time.sleep(fake.delay)
                route, status, value, headers = fake.answer(self.command, self.path, body)
                raw = isinstance(value, str)
                payload = value.encode() if raw else json.dumps(value).encode()
                headers = list(headers) + [
                    ("Content-Type", "application/vnd.github.raw" if raw else "application/json; charset=utf-8"),
                    ("X-RateLimit-Limit", "5000"),
                    ("X-RateLimit-Remaining", "4999"),
                ]
                if self.command == "GET" and status == 200:
                    etag = '"' + hashlib.sha1(payload).hexdigest() + '"'
                    headers.append(("ETag", etag))
                    if self.headers.get("If-None-Match") == etag:
                        with fake.lock:
                            fake.not_modified += 1
                        status, payload = 304, b""
                fake.count(route)
                self.reply(status, payload, headers)
            finally:
                with fake.lock:
                    fake.in_flight -= 1

        do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = handle_any

        def log_message(self, *args):
            pass

    return Handler


def main():
    args = parse_args()
    with open(args.policy) as f:
        policy = f.read()
    fake = Fake(args.prs, policy, args.delay_ms / 1000.0)
    server = ThreadingHTTPServer(("127.0.0.1", args.port), handler_for(fake))
    server.daemon_threads = True

    def stop(*_):
        if args.stats:
            with open(args.stats, "w") as f:
                json.dump(fake.stats(), f, indent=1)
        sys.stdout.flush()
        # shutdown() waits for serve_forever, which runs on this thread: leave from here instead.
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    port = server.server_address[1]
    if args.port_file:
        with open(args.port_file + ".tmp", "w") as f:
            f.write(str(port))
        os.replace(args.port_file + ".tmp", args.port_file)
    print(f"fake_github: {REPO}, {args.prs} ready PRs, listening on 127.0.0.1:{port}, "
          f"{args.delay_ms} ms per answer", file=sys.stderr)
    server.serve_forever()


if __name__ == "__main__":
    main()
