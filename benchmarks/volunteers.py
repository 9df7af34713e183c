"""500 applicants signing up for volunteering in the same minute, each on its own phone over
the app's real websocket.

    .venv/bin/python benchmarks/volunteers.py [--applicants 500] [--seconds 60] [--app-url URL]

Each phone opens /volunteer/apply like a browser tab (hydrate), picks the community, and sends
the sign-up form (ApplyState.submit: a new account with an argon2 password hash and an
application). A sign-up is timed from the submit to the app's redirect to /login; the
applicants arrive evenly over `--seconds`. Afterwards the database must hold every application
(with APP_URL it needs DATABASE_URL to count them). Prints: applicants, saved, p50/p95/max
latency and errors.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from pathlib import Path

from sqlalchemy import create_engine, text

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._app import log, running_app
from benchmarks.load import Names, Phone, ResponseError, percentile

MOBILE_PREFIX = "1950000"  # + 4 digits


class Applicant(Phone):
    async def sign_up(self, apply_state: str, community_id: int) -> None:
        n = self.names
        path = "/volunteer/apply"
        await self.connect(
            {
                "name": f"{n.root}.hydrate_and_load",
                "router_data": {"pathname": path, "asPath": path},
            }
        )
        await self.wait_for(
            lambda u: self._delta(u, n.root).get(n.var("is_hydrated")) is True, "the hydrate"
        )
        await self.emit(
            f"{apply_state}.choose_community", path, {"community_id": str(community_id)}
        )
        form = {
            "name": f"报名者{self.index:04d}",
            "mobile": self.mobile,
            "password": "Abc12345",
            "compound_id": "",
            "building": "",
            "sent_from": "市交通局",
            "duty.screener": "on",
            "time.weekend": "on",
            "healthy": "on",
            "consent": "on",
        }
        t0 = time.perf_counter()
        await self.emit(f"{apply_state}.submit", path, {"form": form})

        def done(update: dict) -> bool:
            if errors := self._delta(update, apply_state).get(n.var("errors")):
                raise ResponseError(f"sign-up refused: {errors}")
            return any(e.get("name") == "_redirect" for e in update.get("events") or [])

        await self.wait_for(done, "the sign-up's redirect")
        self.latencies_ms.append((time.perf_counter() - t0) * 1000)


async def run(app_url: str, count: int, seconds: float, community_id: int) -> list[Applicant]:
    from app.volunteers.state import ApplyState

    names, apply_state = Names.from_app(), ApplyState.get_full_name()
    phones = [
        Applicant(
            index=i,
            mobile=f"{MOBILE_PREFIX}{i:04d}",
            names=names,
            app_url=app_url,
            expected_households=None,
        )
        for i in range(count)
    ]

    async def arrive(phone: Applicant) -> None:
        await asyncio.sleep(phone.index * seconds / count)
        try:
            await phone.sign_up(apply_state, community_id)
        except Exception as exc:  # noqa: BLE001 (each failure is reported, none stops the run)
            phone.errors.append(repr(exc))
        finally:
            await phone.close()

    log(f"{count} applicants arrive over {seconds:.0f} s…")
    t0 = time.perf_counter()
    await asyncio.gather(*(arrive(p) for p in phones))
    log(f"all done in {time.perf_counter() - t0:.1f} s")
    return phones


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--applicants", type=int, default=500)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--app-url", default=os.environ.get("APP_URL"))
    args = parser.parse_args(argv)
    if args.applicants < 1 or args.seconds <= 0:
        parser.error("--applicants must be at least 1 and --seconds positive")

    with running_app(app_url=args.app_url) as app:
        database_url = app.database_url or os.environ.get("DATABASE_URL")
        if not database_url:
            parser.error("with --app-url, set DATABASE_URL so the saved sign-ups can be counted")
        engine = create_engine(database_url)
        with engine.connect() as conn:
            community_id = conn.execute(text("SELECT min(id) FROM community")).scalar_one()
            before = conn.execute(text("SELECT count(*) FROM application")).scalar_one()
        phones = asyncio.run(run(app.url, args.applicants, args.seconds, community_id))
        with engine.connect() as conn:
            saved = conn.execute(text("SELECT count(*) FROM application")).scalar_one() - before
        engine.dispose()

    latencies = [ms for p in phones for ms in p.latencies_ms]
    errors = [e for p in phones for e in p.errors]
    for message in sorted(set(errors))[:5]:
        log(f"error: {message[:300]}")
    print(f"applicants: {len(phones)}")
    print(f"saved: {saved}")
    print(f"p50_latency: {percentile(latencies, 50):.1f} ms")
    print(f"p95_latency: {percentile(latencies, 95):.1f} ms")
    print(f"max_latency: {max(latencies, default=float('nan')):.1f} ms")
    print(f"errors: {len(errors)}")
    return 0 if saved == len(phones) and not errors else 1


if __name__ == "__main__":
    sys.exit(main())
