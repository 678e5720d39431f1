"""Lighthouse (npm `lighthouse`, mobile form factor, default throttling) on the local Chromium.

The package is installed into bench/.work/lighthouse on first use. Pages need a signed-in
learner: the session cookie goes in --extra-headers, and the emulated User-Agent is the one
that session was made for (Flask-Login binds a session to its browser).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

from bench.browser import CHROMIUM
from bench.settings import LIGHTHOUSE_BUDGETS, USER_AGENT, WORK

PACKAGE = "lighthouse@13"
PREFIX = WORK / "lighthouse"
CLI = PREFIX / "node_modules" / "lighthouse" / "cli" / "index.js"
CATEGORIES = ("performance", "accessibility", "best-practices")


def ensure_installed(log=print) -> str | None:
    """None when Lighthouse is ready, else the reason it is not."""
    if CLI.exists():
        return None
    if not shutil.which("npm") or not shutil.which("node"):
        return "node/npm not installed (apt-get install -y nodejs npm)"
    if not CHROMIUM.exists():
        return f"Chromium not found at {CHROMIUM}"
    log(f"installing {PACKAGE} into {PREFIX} …")
    PREFIX.mkdir(parents=True, exist_ok=True)
    if not (PREFIX / "package.json").exists():
        (PREFIX / "package.json").write_text('{"private": true}\n')
    try:
        done = subprocess.run(
            ["npm", "install", "--no-audit", "--no-fund", "--prefix", str(PREFIX), PACKAGE],
            capture_output=True, text=True, timeout=300)
    except subprocess.TimeoutExpired:
        return "npm install lighthouse timed out"
    if done.returncode != 0 or not CLI.exists():
        last = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["?"]
        return f"npm install lighthouse failed: {last[0]}"
    return None


def audit(url: str, cookie: str, name: str, timeout: float = 180) -> dict:
    """Scores (0–100) of one page, and the audits that cost points."""
    out = WORK / "lighthouse-reports" / f"{name}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    command = [
        "node", str(CLI), url,
        "--output=json", f"--output-path={out}", "--quiet",
        f"--only-categories={','.join(CATEGORIES)}",
        "--form-factor=mobile",
        f"--emulated-user-agent={USER_AGENT}",
        f"--extra-headers={json.dumps({'Cookie': f'session={cookie}'})}",
        "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
    ]
    env = {**os.environ, "CHROME_PATH": str(CHROMIUM)}
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env)
    if done.returncode != 0 or not out.exists():
        tail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["?"]
        raise RuntimeError(f"lighthouse failed on {url}: {tail[0]}")
    report = json.loads(out.read_text())
    if report.get("runtimeError"):
        raise RuntimeError(f"lighthouse: {report['runtimeError'].get('message')}")
    scores = {c: round(100 * (report["categories"][c]["score"] or 0)) for c in CATEGORIES}
    final_url = report.get("finalDisplayedUrl") or report.get("finalUrl", "")
    if "/login" in final_url:
        raise RuntimeError(f"lighthouse was not signed in: {url} led to {final_url}")
    lost = []
    for category in CATEGORIES:
        for ref in report["categories"][category]["auditRefs"]:
            result = report["audits"][ref["id"]]
            if ref.get("weight") and result.get("score") is not None and result["score"] < 1:
                lost.append(f"{category}: {ref['id']} ({result['score']:.2f})")
    metrics = {k: report["audits"][k].get("numericValue") for k in (
        "first-contentful-paint", "largest-contentful-paint", "total-blocking-time",
        "cumulative-layout-shift") if k in report["audits"]}
    return {"url": final_url, **scores, "lost_points": lost,
            "metrics_ms": {k: round(v, 1) if v is not None else None for k, v in metrics.items()},
            "report": str(Path(out).relative_to(WORK.parent.parent))}


def meets_budget(scores: dict) -> bool:
    return all(scores.get(c, 0) >= LIGHTHOUSE_BUDGETS[c] for c in CATEGORIES)
