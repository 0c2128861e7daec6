#!/usr/bin/env python3
"""Writes tests/fixtures/devlake-github/history.jsonl, the `flowgate simulate-assign` history of
the DevLake fixture (49 PRs of panjf2000/ants, see SOURCE.md there), from its raw tables.

A PR opens at `created_at`, tier yellow (the tables have no file lists to tier it by). Each person
other than the author who responded (a review of any state, a review comment, a comment on the
PR, or closing it as recorded by a `closed` event) gives one `review` line at their first
response. A merge counts as a response by the repository's owner, panjf2000, who merges its PRs
(the tables do not name who merged: an assumption, stated in docs/benchmarks.md). Bots (`[bot]` logins, codecov, golangcibot) are left out. Run from the repository
root: python3 benches/devlake_history.py
"""
import csv
import json
import sys

csv.field_size_limit(sys.maxsize)
DIR = "tests/fixtures/devlake-github/"
REPO = "panjf2000/ants"
BOTS = {"codecov", "golangcibot", "gitter-badger"}


def rows(name):
    with open(DIR + name, newline="") as f:
        for row in csv.DictReader(f):
            yield json.loads(row["input"] or "null") or {}, json.loads(row["data"])


def human(login):
    return login and not login.endswith("[bot]") and login.lower() not in BOTS


def number_of(url):
    return int(url.rstrip("/").rsplit("/", 1)[1])


pulls = {}
for _, pull in rows("_raw_github_api_pull_requests.csv"):
    pulls[pull["number"]] = pull
responses = {}  # (number, login) -> first time


def respond(number, login, at):
    pull = pulls.get(number)
    if pull is None or not at or not human(login) or login == pull["user"]["login"] or at < pull["created_at"]:
        return
    key = (number, login)
    responses[key] = min(responses.get(key, at), at)


for source, review in rows("_raw_github_api_pull_request_reviews.csv"):
    respond(source.get("Number"), review["user"]["login"], review.get("submitted_at"))
for _, comment in rows("_raw_github_api_pull_request_review_comments.csv"):
    respond(number_of(comment["pull_request_url"]), comment["user"]["login"], comment["created_at"])
for _, comment in rows("_raw_github_api_comments.csv"):
    respond(number_of(comment["issue_url"]), comment["user"]["login"], comment["created_at"])
for _, event in rows("_raw_github_api_events.csv"):
    if event["event"] == "closed":
        respond(event["issue"]["number"], (event.get("actor") or {}).get("login"), event["created_at"])

for number, pull in pulls.items():
    respond(number, "panjf2000", pull.get("merged_at"))

lines = []
for number, pull in sorted(pulls.items()):
    opened = {"event": "pr_opened", "at": pull["created_at"], "repo": REPO, "number": number,
              "author": pull["user"]["login"], "tier": "yellow"}
    lines.append((pull["created_at"], 0, opened))
for (number, login), at in sorted(responses.items()):
    lines.append((at, 1, {"event": "review", "at": at, "repo": REPO, "number": number, "reviewer": login}))
with open(DIR + "history.jsonl", "w") as out:
    for _, _, line in sorted(lines, key=lambda l: (l[0], l[1], json.dumps(l[2]))):
        out.write(json.dumps(line, separators=(",", ":")) + "\n")
print(f"{len(pulls)} PRs, {len(responses)} first responses", file=sys.stderr)
