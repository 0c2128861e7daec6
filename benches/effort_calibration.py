#!/usr/bin/env python3
# Derives the effort-calibration fixture (per merged PR: a review-effort proxy and each file's patch) from the DevLake CSVs and a git clone of panjf2000/ants.
"""
Usage: python3 benches/effort_calibration.py DEVLAKE_DIR ANTS_GIT_DIR > tests/fixtures/devlake-github/effort_prs.json

DEVLAKE_DIR holds the _raw_github_api_*.csv files of apache/incubator-devlake's GitHub e2e tests
(../shared/fixtures/devlake-github); ANTS_GIT_DIR is a clone (bare is fine) of
https://github.com/panjf2000/ants, whose commits the PRs' head and base SHAs name. The CSVs carry no
additions/deletions, so sizes and patches come from `git diff base...head` in that clone.

The proxy (see docs/effort.md): reviewer interactions = review submissions, review comments and
conversation comments on the PR by humans other than its author. Each DevLake table holds one
window of time only, so a PR is kept only when it was open inside the window of a table that holds
review activity (otherwise its proxy is unobserved, not zero).
"""
import csv, json, re, subprocess, sys
from collections import defaultdict

csv.field_size_limit(10**9)
devlake, ants = sys.argv[1], sys.argv[2]
rows = lambda name: [json.loads(r["data"]) for r in csv.DictReader(open(f"{devlake}/_raw_github_api_{name}.csv"))]
number = lambda url: int(re.search(r"/(?:pulls|issues)/(\d+)", url).group(1))
bot = lambda login: login.endswith("[bot]") or login.endswith("bot")

prs = {p["number"]: p for p in rows("pull_requests") if p["merged_at"]}
tables = {  # table -> (timestamp field, PR number of a row)
    "comments": ("created_at", lambda r: number(r["issue_url"])),
    "pull_request_review_comments": ("created_at", lambda r: number(r["pull_request_url"])),
    "pull_request_reviews": ("submitted_at", lambda r: number(r["pull_request_url"])),
}
actions, windows = defaultdict(int), []
for name, (ts, pr_of) in tables.items():
    data = rows(name)
    windows.append((min(r[ts] for r in data), max(r[ts] for r in data)))
    for r in data:
        n = pr_of(r)
        if n in prs and not bot(r["user"]["login"]) and r["user"]["login"] != prs[n]["user"]["login"]:
            actions[n] += 1

def git(*args):
    return subprocess.run(["git", f"--git-dir={ants}", *args], capture_output=True, text=True, check=True).stdout

out = []
for n, p in sorted(prs.items()):
    observed = any(p["created_at"] <= hi and p["merged_at"] >= lo for lo, hi in windows)
    if not observed:
        continue
    base, head = p["base"]["sha"], p["head"]["sha"]
    mb = git("merge-base", base, head).strip()
    files = []
    for line in git("diff", "--numstat", "--no-renames", mb, head).splitlines():
        add, dele, path = line.split("\t")
        patch = git("diff", "--no-renames", "-U3", mb, head, "--", path)
        patch = patch[patch.find("\n@@") + 1:] if "\n@@" in patch else ""
        files.append({"path": path, "additions": int(add) if add != "-" else 0,
                      "deletions": int(dele) if dele != "-" else 0, "patch": patch})
    out.append({"number": n, "title": p["title"][:80], "author": p["user"]["login"],
                "reviewer_actions": actions[n], "files": files})
json.dump({"source": "apache/incubator-devlake e2e raw tables (panjf2000/ants PRs) + panjf2000/ants git history",
           "prs": out}, sys.stdout, indent=1)
print()
