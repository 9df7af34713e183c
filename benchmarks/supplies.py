"""Group buys under load: N residents ordering at once over the app's real websocket, and the
time to give 5,000 orders their pickup numbers and batches.

    .venv/bin/python benchmarks/supplies.py [--phones 100] [--orders 10] [--batch-orders 5000]

Part 1 starts the app on a fresh database (see benchmarks/_app.py; DATABASE_URL=postgresql+...
and REDIS_URL switch it to PostgreSQL + Redis). Before the start it adds one resident account
per phone (mobiles 1970000xxxx, password Demo2026), each linked to a household of its own, and
an open group buy for the whole community. Each phone hydrates /login, logs in as load.py does
(the form post that sets the HttpOnly session cookie, then / on a new websocket), opens the buy's
page (/supplies/buy/<id>, BuyState.load) and then sends `--orders` BuyState.order events back
to back, changing its household's order between 1 and 2 units of each item (every event takes
or gives back stock with the conditional UPDATE). An order is timed from its emit to the update
carrying the household's order; a field error, an error toast or a timeout is an error.
Afterwards the stock sold must equal what the orders hold.

Part 2 (in this process, on SQLite, or on a scratch PostgreSQL database next to DATABASE_URL):
5,000 households in 50 buildings with one order each; times `generate_batches`.

Prints: phones, orders, orders_per_second, p50/p95/p99/max latency, stock_consistent, errors,
batch_orders, batch_generation.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._app import log, running_app
from benchmarks.load import DEMO_PASSWORD, Names, Phone, ResponseError, percentile

MOBILE_PREFIX = "1970000"


# ---------------------------------------------------------------- part 1: data


def prepare_orders(database_url: str, count: int) -> tuple[list[str], int, list[int]]:
    """Resident accounts linked to `count` households of the first community, and an open buy
    with plenty of stock; returns the mobiles, the buy id and its item ids."""
    from sqlmodel import Session, col, select

    from app.accounts.models import Role, User
    from app.accounts.service import hash_password
    from app.community.models import Community, Compound, Household
    from app.db import make_engine, saved_id
    from app.supplies import service
    from app.timeutil import utcnow

    engine = make_engine(database_url)
    try:
        with Session(engine, expire_on_commit=False) as db:
            community = db.exec(select(Community).order_by(col(Community.id)).limit(1)).one()
            staff = db.exec(
                select(User)
                .where(User.community_id == community.id, User.role == Role.STAFF)
                .limit(1)
            ).one()
            taken = select(User.household_id).where(col(User.household_id).is_not(None))
            households = db.exec(
                select(Household.id)
                .where(Household.community_id == community.id, col(Household.id).not_in(taken))
                .order_by(col(Household.id))
                .limit(count)
            ).all()
            password_hash = hash_password(DEMO_PASSWORD)
            mobiles = [f"{MOBILE_PREFIX}{i:04d}" for i in range(count)]
            db.add_all(
                User(
                    mobile=mobile,
                    name=f"压测居民{i:04d}",
                    password_hash=password_hash,
                    role=Role.RESIDENT,
                    street_id=community.street_id,
                    community_id=community.id,
                    household_id=household_id,
                )
                for i, (mobile, household_id) in enumerate(zip(mobiles, households, strict=True))
            )
            db.commit()
            compounds = db.exec(
                select(Compound.id).where(Compound.community_id == community.id)
            ).all()
            item = {"spec": "", "price_fen": 1000, "stock": 1_000_000, "limit_per_household": 5}
            buy = service.create_buy(
                db,
                staff,
                saved_id(community),
                {
                    "title": "压测团购",
                    "supplier": "压测供应商",
                    "opens_at": utcnow() - timedelta(hours=1),
                    "closes_at": utcnow() + timedelta(days=1),
                    "compound_ids": list(compounds),
                    "pickup_points": ["东门"],
                    "items": [{**item, "name": "大米"}, {**item, "name": "鸡蛋"}],
                },
            )
            items = [i.id for i in service.buy_detail(db, staff, saved_id(buy)).items]
    finally:
        engine.dispose()
    log(f"{count} residents and buy {buy.id} added")
    return mobiles, saved_id(buy), items


def stock_consistent(database_url: str, buy_id: int) -> bool:
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            sold = conn.execute(
                text("SELECT coalesce(sum(sold), 0) FROM buyitem WHERE buy_id = :b"), {"b": buy_id}
            ).scalar_one()
            held = conn.execute(
                text(
                    "SELECT coalesce(sum(l.quantity), 0) FROM orderline l JOIN supplyorder o"
                    " ON o.id = l.order_id WHERE o.buy_id = :b AND o.status = 'placed'"
                ),
                {"b": buy_id},
            ).scalar_one()
    finally:
        engine.dispose()
    log(f"stock sold {sold}, held by orders {held}")
    return sold == held


# ---------------------------------------------------------------- part 1: the phones


class Resident(Phone):
    async def _login(self) -> None:
        """Log in and land on / showing the resident (their home page has no tiles to check);
        the buy page is then opened by a client-side navigation, as a tap does."""
        t0 = time.perf_counter()
        await self.log_in()
        self.login_ms = (time.perf_counter() - t0) * 1000

    async def emit_at(self, name: str, path: str, query: dict, payload: dict | None = None):
        from socketio import packet as sio

        from benchmarks.load import NAMESPACE

        event = {"name": name, "router_data": {"pathname": path, "asPath": path, "query": query}}
        if payload:
            event["payload"] = payload
        await self._send(sio.Packet(sio.EVENT, data=["event", event], namespace=NAMESPACE))

    async def order(self, buy_state: str, buy_id: int, items: list[int], count: int) -> None:
        n = self.names
        path, query = f"/supplies/buy/{buy_id}", {"buy_id": str(buy_id)}
        await self.emit_at(n.update_vars_internal, path, query, {"vars": dict(self.cookies)})
        await self.emit_at(n.on_load_internal, path, query)
        await self.wait_for(
            lambda u: self._delta(u, buy_state).get(n.var("items")), "the buy page's load"
        )
        for sent in range(count):
            quantity = str(1 + sent % 2)
            form = {f"qty_{item}": quantity for item in items}
            t0 = time.perf_counter()
            try:
                self._drain()
                await self.emit_at(f"{buy_state}.order", path, query, {"form": form})

                def done(update: dict) -> bool:
                    delta = self._delta(update, buy_state)
                    if errors := delta.get(n.var("errors")):
                        raise ResponseError(f"order refused: {errors}")
                    return n.var("my_order") in delta

                await self.wait_for(done, "the order's update")
            except ResponseError as exc:
                self.errors.append(str(exc))
                self.errors += ["not sent after an earlier error"] * (count - sent - 1)
                return
            self.latencies_ms.append((time.perf_counter() - t0) * 1000)


async def run_phones(
    app_url: str, mobiles: list[str], buy_id: int, items: list[int], orders: int
) -> tuple[list[Resident], float]:
    from app.supplies.state import BuyState

    names, buy_state = Names.from_app(), BuyState.get_full_name()
    phones = [
        Resident(index=i, mobile=m, names=names, app_url=app_url, expected_households=None)
        for i, m in enumerate(mobiles)
    ]
    log(f"{len(phones)} residents log in…")
    logins = asyncio.Semaphore(10)
    results = await asyncio.gather(
        *(p.hydrate_and_login(logins) for p in phones), return_exceptions=True
    )
    for phone, result in zip(phones, results, strict=True):
        if isinstance(result, BaseException):
            phone.errors.append(f"login: {result!r}")
    ready = [p for p in phones if p.login_ms is not None]
    log(f"{len(ready)} residents order {orders} times each, all at once…")
    t0 = time.perf_counter()
    await asyncio.gather(*(p.order(buy_state, buy_id, items, orders) for p in ready))
    elapsed = time.perf_counter() - t0
    await asyncio.gather(*(p.close() for p in phones))
    return phones, elapsed


# ---------------------------------------------------------------- part 2: batches


def batch_generation(count: int) -> float:
    """Seconds `generate_batches` takes for `count` orders (fresh database, 50 buildings)."""
    import contextlib

    from sqlalchemy import insert
    from sqlmodel import Session, col

    from app.accounts.models import Role, User
    from app.cli import migrate
    from app.community.models import Building, Community, Compound, Household, Street, Unit
    from app.db import make_engine, saved_id, sibling_database
    from app.supplies import service
    from app.supplies.models import BuyItem, GroupBuy, OrderLine, SupplyOrder
    from app.timeutil import utcnow

    base = os.environ.get("DATABASE_URL", "")
    with contextlib.ExitStack() as stack:
        if base.startswith("postgresql"):
            url = stack.enter_context(sibling_database(base, "batches"))
        else:
            url = f"sqlite:///{stack.enter_context(tempfile.TemporaryDirectory())}/b.db"
        migrate(url)
        engine = make_engine(url)
        stack.callback(engine.dispose)
        with Session(engine, expire_on_commit=False) as db:
            street = Street(name="压测街道")
            db.add(street)
            db.flush()
            community = Community(street_id=saved_id(street), name="压测社区")
            db.add(community)
            db.flush()
            compound = Compound(community_id=saved_id(community), name="压测小区")
            db.add(compound)
            db.flush()
            staff = User(
                mobile="13811112222",
                name="压测",
                password_hash="x",
                role=Role.STAFF,
                community_id=community.id,
                street_id=street.id,
            )
            db.add(staff)
            buildings = [
                Building(compound_id=saved_id(compound), number=str(b + 1)) for b in range(50)
            ]
            db.add_all(buildings)
            db.flush()
            units = [Unit(building_id=saved_id(b), number="1") for b in buildings]
            db.add_all(units)
            db.flush()
            per_building = -(-count // 50)
            rows = []
            for building, unit in zip(buildings, units, strict=True):
                for d in range(per_building):
                    door = f"{d // 4 + 1}{d % 4 + 1:02d}"
                    rows.append(
                        Household.model_validate(
                            {
                                "unit_id": unit.id,
                                "building_id": building.id,
                                "compound_id": compound.id,
                                "community_id": community.id,
                                "door": door,
                                "door_key": f"{building.number}-1-{door}",
                                "address": f"压测小区 {building.number}-1-{door}",
                            }
                        ).model_dump(exclude={"id"})
                    )
            rows = rows[:count]
            ids = (
                db.exec(
                    insert(Household).returning(col(Household.id), sort_by_parameter_order=True),
                    params=rows,
                )
                .scalars()
                .all()
            )
            buy = GroupBuy(
                community_id=saved_id(community),
                title="5000 单",
                supplier="压测",
                opens_at=utcnow() - timedelta(days=1),
                closes_at=utcnow() - timedelta(minutes=1),
                created_by=saved_id(staff),
            )
            db.add(buy)
            db.flush()
            item = BuyItem(
                buy_id=saved_id(buy),
                name="大米",
                price_fen=100,
                stock=0,
                sold=count,
                limit_per_household=1,
            )
            db.add(item)
            db.flush()
            order_ids = (
                db.exec(
                    insert(SupplyOrder).returning(
                        col(SupplyOrder.id), sort_by_parameter_order=True
                    ),
                    params=[
                        {
                            "buy_id": buy.id,
                            "household_id": h,
                            "compound_id": compound.id,
                            "building_id": rows[i]["building_id"],
                            "placed_by": staff.id,
                            "status": "placed",
                        }
                        for i, h in enumerate(ids)
                    ],
                )
                .scalars()
                .all()
            )
            db.exec(
                insert(OrderLine),
                params=[{"order_id": o, "item_id": item.id, "quantity": 1} for o in order_ids],
            )
            db.commit()
            t0 = time.perf_counter()
            batches = service.generate_batches(
                db,
                staff,
                saved_id(buy),
                {"batch_size": 20, "slot_minutes": 10, "first_slot_at": utcnow()},
            )
            elapsed = time.perf_counter() - t0
        log(f"{count} orders in {batches} batches")
    return elapsed


# ---------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--phones", type=int, default=100)
    parser.add_argument("--orders", type=int, default=10, help="order events per phone")
    parser.add_argument("--batch-orders", type=int, default=5000)
    parser.add_argument("--skip-phones", action="store_true", help="only time the batches")
    args = parser.parse_args(argv)

    ok = True
    if not args.skip_phones:
        prepared: dict[str, tuple[str, list[str], int, list[int]]] = {}

        def prepare(database_url: str) -> None:
            prepared["orders"] = (database_url, *prepare_orders(database_url, args.phones))

        with running_app(prepare=prepare, app_url=None) as app:
            database_url, mobiles, buy_id, items = prepared["orders"]
            phones, window = asyncio.run(run_phones(app.url, mobiles, buy_id, items, args.orders))
            consistent = stock_consistent(database_url, buy_id)
        latencies = [ms for p in phones for ms in p.latencies_ms]
        errors = [e for p in phones for e in p.errors]
        for message in sorted(set(errors))[:5]:
            log(f"error: {message[:300]}")
        print(f"phones: {len(phones)}")
        print(f"orders: {len(latencies)}")
        print(f"orders_per_second: {len(latencies) / window if window else 0:.1f} orders/s")
        print(f"p50_latency: {percentile(latencies, 50):.1f} ms")
        print(f"p95_latency: {percentile(latencies, 95):.1f} ms")
        print(f"p99_latency: {percentile(latencies, 99):.1f} ms")
        print(f"max_latency: {max(latencies, default=float('nan')):.1f} ms")
        print(f"stock_consistent: {consistent}")
        print(f"errors: {len(errors)}")
        ok = consistent and not errors and bool(latencies)

    seconds = batch_generation(args.batch_orders)
    print(f"batch_orders: {args.batch_orders}")
    print(f"batch_generation: {seconds * 1000:.0f} ms")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
