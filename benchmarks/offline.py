"""Offline field work in Chromium at phone size (390×844, touch): saving a visit on the phone,
downloading 500 households on a simulated slow 4G link, and sending 500 waiting visits.

    .venv/bin/python benchmarks/offline.py [--saves 50] [--households 500] [--app-url URL]

A fresh app with the demo community starts (see _app.py); `prepare` gives one demo volunteer
the open round's buildings until they hold at least --households doors. The script logs in
through the real form and opens /field/ (the offline app), then:

* save: with the network off, taps a door and "all normal" --saves times; the app records how
  long each write to the phone's IndexedDB took (`window.__lastSaveMs`);
* download: on Lighthouse's slow 4G (150 ms round trip, 1.6 Mbit/s down, 750 kbit/s up, set
  with the DevTools protocol), times the app's own download of the volunteer's buildings, from
  the request to the package stored on the phone;
* sync: with the network off, stores --households visits (one per door, "all normal") through
  the app's own save path, turns the network on and times the app sending them all, in batches,
  until nothing waits; then checks the database holds each exactly once;
* after the send: the bytes on the wire of the app's own package request that follows a send
  (only the door states and checks, compressed), and of one more request with nothing changed.

Prints save_p50/save_p95 (ms), download_households, download_seconds, download_kb,
download_wire_kb, sync_visits, sync_seconds, sync_stored, after_send_bytes, unchanged_status.
Targets: save ≤ 50 ms, download ≤ 3 s, sync ≤ 10 s, after_send ≤ 5 KB for 400 doors.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from sqlalchemy import create_engine, text

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._app import log, running_app
from benchmarks.load import percentile

VOLUNTEER, PASSWORD = "13900000004", "Demo2026"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-sync"]
SLOW_4G = {
    "offline": False,
    "latency": 150,
    "downloadThroughput": 1.6 * 1024 * 1024 / 8,
    "uploadThroughput": 750 * 1024 / 8,
}


def assign_doors(households: int):
    """Give the volunteer enough of the open round's buildings (prepare step)."""

    def prepare(database_url: str) -> None:
        engine = create_engine(database_url)
        with engine.begin() as conn:
            user_id = conn.execute(
                text('SELECT id FROM "user" WHERE mobile = :m'), {"m": VOLUNTEER}
            ).scalar_one()
            rows = conn.execute(
                text(
                    "SELECT rb.id, rb.doors FROM roundbuilding rb"
                    " JOIN round r ON r.id = rb.round_id"
                    " WHERE r.closed_at IS NULL ORDER BY rb.id"
                )
            ).all()
            total, chosen = 0, []
            for rb_id, doors in rows:
                if total >= households:
                    break
                chosen.append(rb_id)
                total += doors
            for rb_id in chosen:
                conn.execute(
                    text("UPDATE roundbuilding SET assignee_id = :u WHERE id = :i"),
                    {"u": user_id, "i": rb_id},
                )
            # Only those buildings: not also the unassigned ones of the volunteer's grid.
            conn.execute(text('UPDATE "user" SET grid_id = NULL WHERE id = :u'), {"u": user_id})
            # Start from untouched doors, so every one can be recorded.
            conn.execute(text("DELETE FROM followup"))
            conn.execute(text("DELETE FROM door"))
        log(f"{VOLUNTEER} covers {len(chosen)} buildings, {total} doors")
        engine.dispose()

    return prepare


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--saves", type=int, default=50)
    parser.add_argument("--households", type=int, default=500)
    parser.add_argument("--app-url")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    with running_app(assign_doors(args.households), app_url=args.app_url) as app:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            context = browser.new_context(
                viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
            )
            page = context.new_page()
            page.goto(app.url + "/login")
            page.wait_for_function(
                "() => Object.keys(document.querySelector('main'))"
                ".some(k => k.startsWith('__react'))"
            )
            page.locator("#mobile").fill(VOLUNTEER)
            page.locator("#password").fill(PASSWORD)
            page.locator("button[type=submit]").click()
            page.wait_for_url(app.url + "/")
            with page.expect_response("**/api/field/download*") as first:
                page.goto(app.url + "/field/")
            page.locator("#downloaded").wait_for()
            first.value.finished()
            wire = first.value.request.sizes()["responseBodySize"]
            page.wait_for_function("navigator.serviceWorker.controller !== null")
            doors = page.locator("button.door").count()

            # Downloading on slow 4G (the app's own function, storage included).
            cdp = context.new_cdp_session(page)
            cdp.send("Network.enable")
            cdp.send("Network.emulateNetworkConditions", SLOW_4G)
            timings = []
            for _ in range(3):
                timings.append(
                    page.evaluate(
                        # Without the phone's version: the whole package, not "unchanged".
                        "async () => { delete state.pkg.version; const t = performance.now();"
                        " await download(); return performance.now() - t; }"
                    )
                )
            size = page.evaluate(
                "async () => (await (await fetch('/api/field/download')).text()).length"
            )
            cdp.send(
                "Network.emulateNetworkConditions",
                {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
            )
            print(f"download_households: {doors}")
            print(f"download_seconds: {statistics.median(timings) / 1000:.2f} s")
            print(f"download_kb: {size / 1024:.0f} KB (uncompressed JSON)")
            print(f"download_wire_kb: {wire / 1024:.0f} KB (gzip)")

            # Saving on the phone with no network: tap a door, "all normal".
            context.set_offline(True)
            saves = []
            for _ in range(args.saves):
                page.locator("button.door:not(.waiting)").first.click()
                page.locator("button[data-action=all-normal]").click()
                page.locator("#downloaded").wait_for()
                saves.append(page.evaluate("window.__lastSaveMs"))
            print(f"save_p50: {statistics.median(saves):.1f} ms")
            print(f"save_p95: {percentile(saves, 95):.1f} ms")

            # The rest of the doors, then send everything at once.
            waiting = page.evaluate(
                """async () => {
                  for (const b of state.pkg.buildings) for (const d of b.doors) {
                    if (state.outbox.some((r) => r.data.household_id === d.household_id)) continue;
                    await keep({client_id: crypto.randomUUID().replaceAll('-', ''), kind: 'visit',
                      label: d.address, data: {round_id: b.round_id, household_id: d.household_id,
                      outcome: 'visited', recorded_at: new Date().toISOString(),
                      people: d.members.map((m) => ({resident_id: m.resident_id}))}});
                  }
                  return state.outbox.length;
                }"""
            )
            context.set_offline(False)
            started = time.perf_counter()
            # Once all are sent the app asks for its package again: what does that cost?
            with page.expect_response("**/api/field/download*", timeout=120_000) as after_send:
                page.evaluate("sendWaiting()")
                page.wait_for_function(
                    "state.outbox.length === 0 && !state.sending", timeout=120_000
                )
                took = time.perf_counter() - started
            after_send.value.finished()
            after_send_bytes = after_send.value.request.sizes()["responseBodySize"]
            page.wait_for_function("state.pkg.buildings[0].doors[0].outcome === 'visited'")
            with page.expect_response("**/api/field/download*") as unchanged:
                page.evaluate("download()")
            unchanged_status = unchanged.value.status  # 304 has no body
            browser.close()
        if app.database_url is None:
            raise SystemExit("set DATABASE_URL to the app's database to count the stored visits")
        engine = create_engine(app.database_url)
        with engine.connect() as conn:
            stored = conn.execute(
                text(
                    "SELECT count(*) FROM visit WHERE recorded_by ="
                    ' (SELECT id FROM "user" WHERE mobile = :m)'
                ),
                {"m": VOLUNTEER},
            ).scalar_one()
        engine.dispose()
    print(f"sync_visits: {waiting}")
    print(f"sync_seconds: {took:.2f} s")
    print(f"sync_stored: {stored}")
    print(f"after_send_bytes: {after_send_bytes} B (door states of {waiting} doors, gzip)")
    print(f"unchanged_status: HTTP {unchanged_status}")


if __name__ == "__main__":
    main()
