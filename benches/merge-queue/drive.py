#!/usr/bin/env python3
"""One merge-queue scenario for benches/merge-queue/run: builds groups on the fake GitHub,
sends their signed `merge_group` `checks_requested` deliveries to `flowgate serve`, and waits
for each group's completed `flowgate` check run.

Groups take PRs 1..--prs in order, 1, 2, 3, 4, 5, 1, 2... members at a time (the last group takes
what is left), by merge method merge, squash, rebase, merge... in turn. `--mode steady` builds
and announces one group every --arrival-ms, as a queue building groups while earlier ones
finish; `--mode burst` builds every group first, then sends all deliveries at once.

Latency is from sending a group's delivery to the fake GitHub's receiving its first completed
check run (both clocks are this machine's wall clock). A group without one --deadline-s after
its delivery is a stall. Every group's PRs pass the policy, so any conclusion but success is a
false reject. Prints a report and one line `RESULT {json}`; exits 1 on any stall, reject or
refused delivery.

Python standard library only.
"""

import argparse
import hashlib
import hmac
import json
import sys
import threading
import time
import urllib.error
import urllib.request

METHODS = ["merge", "squash", "rebase"]
REPO = "acme/shop"


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--webhook", required=True, help="flowgate serve's POST /webhook URL")
    p.add_argument("--github", required=True, help="the fake GitHub's base URL")
    p.add_argument("--metrics", help="flowgate serve's GET /metrics URL, read at the end")
    p.add_argument("--secret", required=True, help="the webhook secret")
    p.add_argument("--payload", required=True, help="the merge_group checks_requested fixture")
    p.add_argument("--prs", type=int, default=100)
    p.add_argument("--mode", choices=["steady", "burst"], default="steady")
    p.add_argument("--arrival-ms", type=int, default=2000, help="steady: time between groups")
    p.add_argument("--deadline-s", type=float, default=300, help="a group without a check by then stalled")
    p.add_argument("--run-id", default=str(int(time.time())), help="makes delivery ids unique")
    return p.parse_args()


def plan(prs):
    """[(members, method)]: sizes 1..5 in turn, methods in turn, until the PRs run out."""
    groups, next_pr, i = [], 1, 0
    while next_pr <= prs:
        size = min(i % 5 + 1, prs - next_pr + 1)
        groups.append((list(range(next_pr, next_pr + size)), METHODS[i % 3]))
        next_pr += size
        i += 1
    return groups


def call(method, url, body=None, headers=None):
    data = None if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def delivery(template, group):
    """The octokit fixture with the group's commits, acme/shop and installation 1 (queue.rs's
    `checks_requested`)."""
    payload = json.loads(json.dumps(template))
    mg = payload["merge_group"]
    mg["head_sha"], mg["head_ref"], mg["base_sha"] = group["head_sha"], group["head_ref"], group["base_sha"]
    mg["base_ref"] = "refs/heads/main"
    mg["head_commit"]["id"] = group["head_sha"]
    payload["repository"]["full_name"] = REPO
    payload["repository"]["name"] = REPO.split("/")[1]
    payload["installation"] = {"id": 1}
    return json.dumps(payload).encode()


def percentile(sorted_values, p):
    """Nearest-rank percentile."""
    if not sorted_values:
        return float("nan")
    k = max(0, min(len(sorted_values) - 1, int(-(-p * len(sorted_values) // 100)) - 1))
    return sorted_values[k]


def main():
    a = parse_args()
    template = json.load(open(a.payload))
    secret = a.secret.encode()
    groups = []  # dicts: members, method, head_sha, sent, status

    def build(members, method):
        status, body = call("POST", a.github + "/_bench/queue", {"members": members, "method": method})
        if status != 201:
            sys.exit(f"merge-queue: the fake GitHub refused to queue {members}: {status} {body[:200]!r}")
        return json.loads(body)

    def send(i, group):
        body = delivery(template, group)
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "GitHub-Hookshot/bench",
            "X-GitHub-Event": "merge_group",
            "X-GitHub-Delivery": f"{a.run_id}-{i}",
            "X-Hub-Signature-256": "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest(),
        }
        group["sent"] = time.time()
        group["status"], _ = call("POST", a.webhook, body, headers)
        group["acked"] = time.time()

    planned = plan(a.prs)
    start = time.time()
    if a.mode == "burst":
        groups = [build(m, method) for m, method in planned]
        threads = [threading.Thread(target=send, args=(i, g)) for i, g in enumerate(groups)]
        start = time.time()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    else:
        for i, (members, method) in enumerate(planned):
            time.sleep(max(0.0, start + i * a.arrival_ms / 1000 - time.time()))
            group = build(members, method)
            groups.append(group)
            send(i, group)
    sent_all = time.time()

    # Wait for every group's check, or its deadline.
    results = {}
    while True:
        status, body = call("GET", a.github + "/_bench/results")
        results = json.loads(body) if status == 200 else results
        now = time.time()
        waiting = [g for g in groups if g["head_sha"] not in results and now < g["sent"] + a.deadline_s]
        if not waiting:
            break
        time.sleep(0.2)

    latencies, conclusions, stalled, refused = [], {}, [], []
    for g in groups:
        if g["status"] != 202:
            refused.append(g)
        r = results.get(g["head_sha"])
        if r is None:
            stalled.append(g)
            continue
        g["latency"] = r["at"] - g["sent"]
        g["conclusion"] = r["conclusion"]
        latencies.append(g["latency"])
        conclusions[r["conclusion"]] = conclusions.get(r["conclusion"], 0) + 1
    latencies.sort()
    rejects = [g for g in groups if g.get("conclusion") not in (None, "success")]
    last = max((results[g["head_sha"]]["at"] for g in groups if g["head_sha"] in results), default=sent_all)

    _, stats = call("GET", a.github + "/_bench/stats")
    stats = json.loads(stats)
    app_routes = {"token", "hook deliveries", "installation"}
    group_requests = sum(v for k, v in stats["by_route"].items() if k not in app_routes)
    evaluation = {}
    if a.metrics:
        status, text = call("GET", a.metrics)
        for line in text.decode(errors="replace").splitlines() if status == 200 else []:
            name, _, value = line.partition(" ")
            if name in ("flowgate_evaluation_seconds_sum", "flowgate_evaluation_seconds_count"):
                evaluation[name.rsplit("_", 1)[1]] = float(value)

    n = len(groups)
    ms = lambda s: round(s * 1000)  # noqa: E731
    result = {
        "mode": a.mode, "groups": n, "prs": sum(len(g["members"]) for g in groups),
        "arrival_ms": a.arrival_ms if a.mode == "steady" else 0,
        "p50_ms": ms(percentile(latencies, 50)) if latencies else None,
        "p90_ms": ms(percentile(latencies, 90)) if latencies else None,
        "p99_ms": ms(percentile(latencies, 99)) if latencies else None,
        "max_ms": ms(latencies[-1]) if latencies else None,
        "ack_max_ms": ms(max(g["acked"] - g["sent"] for g in groups)),
        "conclusions": conclusions, "rejects": len(rejects), "stalls": len(stalled), "refused": len(refused),
        "send_s": round(sent_all - start, 1), "total_s": round(last - start, 1),
        "github_requests": stats["requests"], "group_requests": group_requests,
        "requests_per_group": round(group_requests / n, 1) if n else None,
        "not_modified": stats["not_modified"],
        "by_route_per_group": {k: round(v / n, 2) for k, v in stats["by_route"].items()},
        "mean_evaluation_ms": ms(evaluation["sum"] / evaluation["count"]) if evaluation.get("count") else None,
        "evaluations": int(evaluation.get("count", 0)),
    }
    by_size = {}
    for g in groups:
        if "latency" in g:
            by_size.setdefault(len(g["members"]), []).append(g["latency"])
    result["mean_ms_by_size"] = {k: ms(sum(v) / len(v)) for k, v in sorted(by_size.items())}

    print(f"{a.mode}: {n} groups, {result['prs']} PRs, sent over {result['send_s']} s, "
          f"last check {result['total_s']} s after the first delivery", file=sys.stderr)
    print(f"  latency p50 {result['p50_ms']} ms, p90 {result['p90_ms']} ms, p99 {result['p99_ms']} ms, "
          f"max {result['max_ms']} ms; mean by group size {result['mean_ms_by_size']}", file=sys.stderr)
    print(f"  conclusions {conclusions}, stalls {len(stalled)}, refused deliveries {len(refused)}", file=sys.stderr)
    print(f"  GitHub requests {stats['requests']} ({group_requests} for groups: {result['requests_per_group']} "
          f"a group; {stats['not_modified']} answered 304); by route a group: {result['by_route_per_group']}",
          file=sys.stderr)
    for g in stalled:
        print(f"  STALL: {g['method']} group {g['members']} ({g['head_sha'][:7]}): no completed check "
              f"{a.deadline_s:.0f} s after its delivery", file=sys.stderr)
    for g in rejects:
        r = results[g["head_sha"]]
        print(f"  REJECT: {g['method']} group {g['members']} ({g['head_sha'][:7]}): {r['conclusion']}: "
              f"{r['title']}", file=sys.stderr)
    for g in refused:
        print(f"  REFUSED: delivery for group {g['members']} answered {g['status']}", file=sys.stderr)
    print("RESULT " + json.dumps(result))
    sys.exit(1 if stalled or rejects or refused else 0)


if __name__ == "__main__":
    main()
