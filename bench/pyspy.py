"""py-spy on a live gunicorn worker: where a request's time goes under the benchmark's load.

The raw (collapsed) stacks are kept in bench/.work/; the summary gives, for a few parts of a
request, the share of the worker's samples that were inside it.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

from bench.settings import ROOT

# (label, a frame that marks it) — inclusive shares, so they overlap where frames nest.
PARTS = [
    ("whole Flask request", "Flask.wsgi_app"),
    ("the lesson page's one query (sign-in, user, page)", "reader_page ("),
    ("waiting for PostgreSQL (psycopg)", "Connection.wait (psycopg"),
    ("sending to PostgreSQL (psycopg)", "_send_query_prepared (psycopg"),
    ("Flask-Login loads the user", "load_user (app/extensions.py"),
    ("Redis (the user cache)", "mget (redis"),
    ("pool checkout (pre-ping)", "_ConnectionFairy._checkout"),
    ("end of request: ROLLBACK", "do_rollback"),
    ("Jinja rendering", "render_template (flask/templating.py"),
    ("gzip", "compress_response ("),
    ("session cookie (open/save)", "SecureCookieSessionInterface"),
    ("writing the response to the socket", "Response.write (gunicorn"),
    ("closing the connection", "close_graceful (gunicorn"),
]


def executable() -> str | None:
    candidate = Path(sys.executable).with_name("py-spy")
    return str(candidate) if candidate.exists() else shutil.which("py-spy")


def record(pid: int, seconds: float, out: Path) -> subprocess.Popen:
    """Start sampling `pid` for `seconds` (returns at once; wait() on the result)."""
    spy = executable()
    if spy is None:
        raise RuntimeError("py-spy is not installed (it is in the dev extras)")
    out.parent.mkdir(parents=True, exist_ok=True)
    return subprocess.Popen(
        [spy, "record", "--pid", str(pid), "--duration", str(int(seconds)), "--rate", "500",
         "--format", "raw", "--output", str(out), "--nonblocking"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def summarise(raw: Path) -> dict:
    """Share of samples inside each part of PARTS, and the heaviest app frames."""
    own = {p.name for folder in ("app", "bench") for p in (ROOT / folder).rglob("*.py")}
    total = 0
    inside: Counter = Counter()
    app_frames: Counter = Counter()
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        n = int(count)
        total += n
        for label, marker in PARTS:
            if marker in stack:
                inside[label] += n
        seen = set()
        for frame in stack.split(";"):
            # py-spy shortens file names along sys.path: the project's own read app/…, bench/…
            # or, for some packages, the bare file name.
            m = re.match(r"(\S+) \(([\w/]+\.py):\d+\)", frame)
            if m and (m.group(2).startswith(("app/", "bench/")) or m.group(2) in own) and (
                    key := f"{m.group(1)} ({m.group(2)})") not in seen:
                seen.add(key)
                app_frames[key] += n

    def share(n: int) -> float:
        return round(100 * n / total, 1) if total else 0.0

    return {
        "samples": total,
        "percent_of_worker_time": {label: share(inside[label]) for label, _ in PARTS},
        "heaviest_app_frames": {k: share(v) for k, v in app_frames.most_common(12)},
    }
