"""Lighthouse (default mobile config: emulated phone, simulated slow 4G) on /login and on the
home page / logged in as a demo staff user; categories performance and accessibility.

    .venv/bin/python benchmarks/pagespeed.py [--runs 3] [--app-url URL]

Lighthouse is installed from the npm registry into .tools if missing (pinned: 12.x is the
newest line that runs on the Node 20 here; 13 needs Node >= 22.19). Chromium is Debian's
/usr/bin/chromium. /login is audited in a Chromium that Lighthouse launches (fresh profile);
for / the script starts Chromium with a remote-debugging port, logs in through the real form
with Playwright (connect_over_cdp; the app sets the session cookie), then points Lighthouse at
that browser with --disable-storage-reset so the cookie stays. That flag also keeps the HTTP
cache, so the script empties it before each run: both pages are measured as first visits.

Each page is audited --runs times and the run with the median performance score counts (the
scores move by a few points from run to run on a busy machine). JSON reports go to
benchmarks/out/; for a score under target the audits that cost the most points are listed on
stderr. Prints login_performance, login_accessibility, home_performance, home_accessibility.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._app import ROOT, app_env, free_port, log, running_app

LIGHTHOUSE_VERSION = "12.8.2"
TOOLS = ROOT / ".tools"
LIGHTHOUSE = TOOLS / "node_modules" / ".bin" / "lighthouse"
CHROME = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
CHROME_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
OUT = Path(__file__).resolve().parent / "out"
STAFF_MOBILE, STAFF_PASSWORD = "13800000001", "Demo2026"
CATEGORIES = ("performance", "accessibility")
TARGETS = {"performance": 90, "accessibility": 95}
LIGHTHOUSE_TIMEOUT_S = 300


def ensure_lighthouse() -> None:
    manifest = TOOLS / "node_modules" / "lighthouse" / "package.json"
    if manifest.exists() and json.loads(manifest.read_text())["version"] == LIGHTHOUSE_VERSION:
        return
    log(f"installing lighthouse@{LIGHTHOUSE_VERSION} into {TOOLS}")
    subprocess.run(
        [
            "npm",
            "install",
            "--no-audit",
            "--no-fund",
            "--prefix",
            str(TOOLS),
            f"lighthouse@{LIGHTHOUSE_VERSION}",
        ],
        check=True,
        stdout=sys.stderr,
    )


def run_lighthouse(url: str, name: str, *, port: int | None = None) -> dict:
    """One Lighthouse run; returns the JSON report (also saved in benchmarks/out/)."""
    OUT.mkdir(exist_ok=True)
    report = OUT / f"lighthouse-{name}.json"
    report.unlink(missing_ok=True)
    cmd = [
        str(LIGHTHOUSE),
        url,
        f"--only-categories={','.join(CATEGORIES)}",
        "--output=json",
        f"--output-path={report}",
        "--quiet",
    ]
    if port is None:
        cmd.append(f"--chrome-flags={' '.join(CHROME_FLAGS)}")
    else:
        cmd += [f"--port={port}", "--disable-storage-reset"]
    log(f"lighthouse {name}: {url}")
    subprocess.run(
        cmd,
        env=app_env(CHROME_PATH=CHROME),
        check=True,
        timeout=LIGHTHOUSE_TIMEOUT_S,
        stdout=sys.stderr,
        stderr=sys.stderr,
    )
    data = json.loads(report.read_text())
    if data.get("runtimeError"):
        raise RuntimeError(f"lighthouse {name}: {data['runtimeError']}")
    final = data.get("finalDisplayedUrl") or data.get("finalUrl", "")
    if urlsplit(final).path.rstrip("/") != urlsplit(url).path.rstrip("/"):
        raise RuntimeError(f"lighthouse {name} ended on {final}, not {url} (login lost?)")
    return data


def score(report: dict, category: str) -> int:
    value = report["categories"][category]["score"]
    if value is None:
        raise RuntimeError(f"lighthouse gave no {category} score")
    return round(value * 100)


def costly_audits(report: dict, category: str, limit: int = 5) -> list[str]:
    """The audits that cost the category the most points, worst first; for performance also
    the opportunities (unweighted audits that estimate FCP/LCP savings)."""
    audits = report["audits"]
    refs = report["categories"][category]["auditRefs"]
    total = sum(r["weight"] for r in refs) or 1
    weighted = []
    for ref in refs:
        audit = audits[ref["id"]]
        s = audit.get("score")
        if s is None or s >= 1 or ref["weight"] == 0:
            continue
        lost = ref["weight"] / total * (1 - s) * 100
        detail = audit.get("displayValue", "")
        weighted.append((lost, f"-{lost:.1f} {ref['id']}: {audit['title']} {detail}".rstrip()))
    lines = [text for _, text in sorted(weighted, key=lambda x: -x[0])[:limit]]
    if category == "performance":
        chances = []
        for audit_id, audit in audits.items():
            savings = audit.get("metricSavings") or {}
            ms = max(savings.get("LCP") or 0, savings.get("FCP") or 0)
            if audit.get("score") not in (None, 1) and ms >= 100:
                detail = audit.get("displayValue", "")
                chances.append((ms, f"  opportunity {audit_id}: FCP/LCP -{ms:.0f} ms {detail}"))
        lines += [text.rstrip() for _, text in sorted(chances, key=lambda x: -x[0])[:limit]]
    return lines


@contextlib.contextmanager
def chromium(user_data_dir: Path):
    """Chromium with a remote-debugging port on loopback; stopped (its process group) on exit."""
    port = free_port()
    proc = subprocess.Popen(
        [
            CHROME,
            *CHROME_FLAGS,
            "--remote-debugging-address=127.0.0.1",
            f"--remote-debugging-port={port}",
            f"--user-data-dir={user_data_dir}",
            "--no-first-run",
            "--no-default-browser-check",
            "about:blank",
        ],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/version", timeout=2):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("Chromium did not open its debugging port") from None
                time.sleep(0.3)
        yield port
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def log_in(debug_port: int, app_url: str) -> None:
    """Log in through the login form in the already running Chromium."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.connect_over_cdp(f"http://127.0.0.1:{debug_port}")
        context = browser.contexts[0]
        page = context.new_page()
        page.goto(f"{app_url}/login", wait_until="networkidle")
        page.fill("#mobile", STAFF_MOBILE)
        page.fill("#password", STAFF_PASSWORD)
        page.click("#login-submit")
        page.wait_for_url(f"{app_url}/", timeout=30_000)
        page.get_by_text("户数").first.wait_for(timeout=30_000)
        page.close()  # Lighthouse opens its own tab; the cookie stays in the profile.
        browser.close()  # for a CDP connection this only disconnects
    check_logged_in(debug_port, app_url)


def check_logged_in(debug_port: int, app_url: str) -> None:
    """The session cookie is in the browser; also empty the HTTP cache: --disable-storage-reset
    keeps it as well as the cookie, and / is measured on a cold cache like /login."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.connect_over_cdp(f"http://127.0.0.1:{debug_port}")
        context = browser.contexts[0]
        cookies = {c["name"] for c in context.cookies(app_url) if "name" in c}
        if "cep_session" not in cookies:
            raise RuntimeError(f"not logged in: no cep_session cookie (have {sorted(cookies)})")
        page = context.new_page()
        context.new_cdp_session(page).send("Network.clearBrowserCache")
        page.close()
        browser.close()


def median_run(reports: list[dict]) -> dict:
    """The run with the median performance score (Lighthouse's advice for noisy machines)."""
    ordered = sorted(reports, key=lambda r: score(r, "performance"))
    return ordered[len(ordered) // 2]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--app-url", default=os.environ.get("APP_URL"))
    parser.add_argument(
        "--runs", type=int, default=3, help="Lighthouse runs per page; the median run counts"
    )
    args = parser.parse_args(argv)
    if not 1 <= args.runs <= 9:
        parser.error("--runs must be between 1 and 9")

    ensure_lighthouse()
    for old in OUT.glob("lighthouse-*.json"):
        old.unlink()
    runs: dict[str, list[dict]] = {"login": [], "home": []}
    with running_app(app_url=args.app_url) as app:
        for i in range(args.runs):
            runs["login"].append(run_lighthouse(f"{app.url}/login", f"login-{i + 1}"))
        with (
            tempfile.TemporaryDirectory(prefix="cep-bench-chromium-") as profile,
            chromium(Path(profile)) as debug_port,
        ):
            log_in(debug_port, app.url)
            for i in range(args.runs):
                if i:
                    check_logged_in(debug_port, app.url)
                runs["home"].append(run_lighthouse(f"{app.url}/", f"home-{i + 1}", port=debug_port))
            check_logged_in(debug_port, app.url)

    scores: dict[str, int] = {}
    below = False
    for page, reports in runs.items():
        report = median_run(reports)
        for category in CATEGORIES:
            all_runs = [score(r, category) for r in reports]
            scores[f"{page}_{category}"] = value = score(report, category)
            log(f"{page} {category}: runs {all_runs}, median run {value}")
            if value < TARGETS[category]:
                below = True
                log(f"{page} {category} {value} < {TARGETS[category]}; costliest audits:")
                for line in costly_audits(report, category):
                    log(f"    {line}")
    if below:
        log(f"full reports: {OUT}/lighthouse-*.json")
    for name, value in scores.items():
        print(f"{name}: {value} score")
    return 0


if __name__ == "__main__":
    sys.exit(main())
