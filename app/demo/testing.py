"""The demo's nucleic-acid testing (核酸检测) in 清泉社区: today's round under way (10 混 1, two
sites, slots by building, the first slots' people sampled at one site, a few missed marks, home
sampling tasks) and an ended round three days ago, all negative. The open round goes through
the testing service as the samplers would; the ended round's 4,000 samples are bulk inserted
(a service call each would add half a minute to loading), its results imported through the
service."""

import random
from datetime import date, datetime, time, timedelta
from itertools import groupby

from sqlalchemy import func, insert, update
from sqlmodel import Session, col, select

from app.accounts.models import Role, User
from app.community.models import Building, Community, Compound, Household, Resident
from app.community.service import natural_key, personal_code
from app.db import saved_id
from app.demo._plan import _COMMUNITIES, SEED
from app.testing import service as testing
from app.testing.models import (
    TUBE_SIZES,
    HomeSamplingTask,
    PoolMode,
    Sample,
    SampleStatus,
    TaskStatus,
    TestingRound,
    Tube,
)
from app.timeutil import to_local, today_local, utcnow

OPEN_ROUND = "第二轮全员核酸检测"
ENDED_ROUND = "第一轮全员核酸检测"
ENDED_DAYS_AGO = 3
# (site, where it is, the compounds sent there)
_SITES = (
    ("东门广场采样点", "清泉雅居东门外广场", ("清泉雅居", "东门街院落")),
    ("北区活动室采样点", "香槟广场北区社区活动室", ("香槟广场", "合江亭小区")),
)
_OPENS, _CLOSES = time(7, 30), time(11, 30)
_WINDOWS = 8  # half-hour slots from 07:30 to 11:30
_SAMPLED_WINDOWS = 2  # at the first site, the 07:30–08:30 buildings have queued
_SAMPLED_SHARE = 0.85  # of those buildings' people; the rest are the missed list
_MARKS = (
    ("away", "在外地出差，下周返回"),
    ("hospital", "在华西医院住院"),
    ("moved_out", "房屋已出售，全家搬离"),
    ("away", "外出探亲"),
)

_Plan = dict[str, list[tuple[int, int]]]  # site name → [(building id, people due)]


def _load_testing(session: Session, community: Community) -> None:
    """Both rounds, for the community of the second plan (清泉社区)."""
    rng = random.Random(SEED + 3)
    staff = session.exec(select(User).where(User.mobile == _COMMUNITIES[1].staff[0][1])).one()
    volunteers = session.exec(
        select(User)
        .where(User.community_id == community.id, User.role == Role.VOLUNTEER)
        .order_by(col(User.id))
    ).all()
    plan = _site_plan(session, community)
    _ended_round(session, staff, community, plan, rng)
    _open_round(session, staff, list(volunteers), community, plan, rng)


def _site_plan(session: Session, community: Community) -> _Plan:
    """Each site's buildings in walking order, with the people due in each."""
    rows = session.exec(
        select(Building.id, Building.number, Compound.name, func.count(col(Resident.id)))
        .join(Compound, col(Compound.id) == Building.compound_id)
        .join(Household, col(Household.building_id) == Building.id)
        .join(Resident, col(Resident.household_id) == Household.id)
        .where(Compound.community_id == community.id, col(Resident.moved_out).is_(None))
        .group_by(col(Building.id), col(Building.number), col(Compound.name))
    ).all()
    plan: _Plan = {}
    for site, _, compounds in _SITES:
        mine = [r for r in rows if r[2] in compounds]
        mine.sort(key=lambda r: (compounds.index(r[2]), natural_key(r[1])))
        plan[site] = [(saved_id(b), n) for b, _, _, n in mine]
    return plan


def _window(j: int, count: int) -> tuple[time, time]:
    """The half hour of a site's j-th building of `count`: neighbours queue together."""
    w = j * _WINDOWS // count
    start = datetime.combine(date.min, _OPENS) + timedelta(minutes=30 * w)
    return start.time(), (start + timedelta(minutes=30)).time()


def _add_sites(
    session: Session, staff: User, round_id: int, plan: _Plan
) -> dict[str, tuple[int, list[int]]]:
    """The round's sites and slots through the service; site name → (id, building ids). A
    site's capacity is what its busiest half hour needs, rounded up to 50 an hour."""
    made = {}
    for name, place, _ in _SITES:
        buildings = plan[name]
        busiest: dict[time, int] = {}
        for j, (_, due) in enumerate(buildings):
            starts = _window(j, len(buildings))[0]
            busiest[starts] = busiest.get(starts, 0) + due
        need = 2 * max(busiest.values(), default=0)
        site = testing.add_site(
            session,
            staff,
            round_id,
            {
                "name": name,
                "place": place,
                "opens": _OPENS,
                "closes": _CLOSES,
                "capacity": max(100, -(-need // 50) * 50),
            },
        )
        for j, (building_id, _) in enumerate(buildings):
            starts, ends = _window(j, len(buildings))
            testing.add_slot(
                session,
                staff,
                saved_id(site),
                {"building_id": building_id, "starts": starts, "ends": ends},
            )
        made[name] = (saved_id(site), [b for b, _ in buildings])
    return made


def _plan(session: Session, staff: User, community: Community, name: str) -> int:
    found = testing.plan_round(
        session,
        staff,
        saved_id(community),
        {"name": name, "test_date": today_local(), "mode": PoolMode.POOL10},
    )
    return saved_id(found)


def _people(session: Session, building_ids: list[int]) -> list[tuple[int, int, int]]:
    """(resident, household, building) of those due in these buildings, door by door."""
    if not building_ids:
        return []
    return [
        (saved_id(r), saved_id(h), b)
        for r, h, b in session.exec(
            select(Resident.id, Household.id, Household.building_id)
            .join(Household, col(Household.id) == Resident.household_id)
            .where(col(Household.building_id).in_(building_ids), col(Resident.moved_out).is_(None))
            .order_by(col(Household.building_id), col(Household.id), col(Resident.id))
        ).all()
    ]


# ---------------------------------------------------------------- the ended round


def _ended_round(
    session: Session, staff: User, community: Community, plan: _Plan, rng: random.Random
) -> None:
    """Everyone but a few sampled three days ago, at the two sites or at home; all negative."""
    round_id = _plan(session, staff, community, ENDED_ROUND)
    sites = _add_sites(session, staff, round_id, plan)
    day = today_local() - timedelta(days=ENDED_DAYS_AGO)
    opens = datetime.combine(day, _OPENS, tzinfo=to_local(utcnow()).tzinfo)
    at_home = set(
        session.exec(
            select(HomeSamplingTask.resident_id).where(HomeSamplingTask.round_id == round_id)
        ).all()
    )
    size = TUBE_SIZES[PoolMode.POOL10]
    tubes: list[dict] = []
    samples: list[list[dict]] = []  # per tube

    def fill(site_id: int | None, people: list[tuple[int, int, int]], minutes: float) -> None:
        for start in range(0, len(people), size):
            chunk = people[start : start + size]
            at = opens + timedelta(minutes=minutes * start / max(1, len(people)))
            tubes.append(
                {
                    "round_id": round_id,
                    "site_id": site_id,
                    "barcode": f"QQ{day:%y%m%d}{len(tubes) + 1:05d}",
                    "size": size,
                    "filled": len(chunk),
                    "opened_by": saved_id(staff),
                    "opened_at": at,
                    "closed_at": at + timedelta(minutes=4),
                }
            )
            samples.append(
                [
                    {
                        "round_id": round_id,
                        "resident_id": r,
                        "household_id": h,
                        "building_id": b,
                        "status": SampleStatus.SAMPLED.value,
                        "by_code": True,
                        "sampled_by": saved_id(staff),
                        "sampled_at": at + timedelta(seconds=20 * i),
                    }
                    for i, (r, h, b) in enumerate(chunk)
                ]
            )

    for site_id, building_ids in sites.values():
        queued = [
            p for p in _people(session, building_ids) if p[0] not in at_home and rng.random() > 0.02
        ]
        fill(site_id, queued, 240)
    everyone = _people(session, [b for _, ids in sites.values() for b in ids])
    fill(None, [p for p in everyone if p[0] in at_home], 300)
    tube_ids = (
        session.exec(
            insert(Tube).returning(col(Tube.id), sort_by_parameter_order=True), params=tubes
        )
        .scalars()
        .all()
    )
    rows = [s | {"tube_id": t} for t, chunk in zip(tube_ids, samples, strict=True) for s in chunk]
    for start in range(0, len(rows), 1000):
        session.exec(insert(Sample), params=rows[start : start + 1000])
    session.exec(
        update(HomeSamplingTask)
        .where(col(HomeSamplingTask.round_id) == round_id)
        .values(status=TaskStatus.DONE, done_at=opens + timedelta(hours=5))
    )
    session.commit()
    results = "管号,检测结果\n" + "".join(f"{t['barcode']},阴性\n" for t in tubes)
    testing.import_results(session, staff, round_id, "检测结果.csv", results.encode())
    testing.end_round(session, staff, round_id)
    # Planned and ended today through the service; it belongs three days back.
    ended = session.get_one(TestingRound, round_id)
    ended.test_date = day
    ended.created_at = opens - timedelta(days=1)
    ended.ended_at = opens + timedelta(hours=6)
    session.add(ended)
    session.exec(
        update(Tube)
        .where(col(Tube.round_id) == round_id)
        .values(result_at=opens + timedelta(hours=14))
    )
    session.commit()


# ---------------------------------------------------------------- today's round


def _open_round(
    session: Session,
    staff: User,
    volunteers: list[User],
    community: Community,
    plan: _Plan,
    rng: random.Random,
) -> None:
    """Sampling under way at the first site: its first buildings' queue scanned (most by
    personal code, a child or an elder without a phone ticked at the door), the samplers'
    last tubes still open; a few not sampled accounted for; home tasks taken and one done."""
    round_id = _plan(session, staff, community, OPEN_ROUND)
    sites = _add_sites(session, staff, round_id, plan)
    site_name = _SITES[0][0]
    site_id, building_ids = sites[site_name]
    first = [
        b
        for j, b in enumerate(building_ids)
        if j * _WINDOWS // len(building_ids) < _SAMPLED_WINDOWS
    ]
    at_home = {t.resident_id for t in testing.home_tasks(session, staff, round_id)}
    people = [p for p in _people(session, first) if p[0] not in at_home]
    queued: list[list[tuple[int, int, int]]] = []  # families, in the order they came
    left: list[tuple[int, int, int]] = []
    for _, family in groupby(people, key=lambda p: p[1]):
        members = list(family)
        if rng.random() < _SAMPLED_SHARE:
            queued.append(members)
        else:
            left += members
    # Each sampler works a queue of their own: a family stays together at one table.
    samplers = volunteers or [staff]
    tubes: dict[int, testing.TubeView] = {}
    opened = 0
    for n, family in enumerate(queued):
        sampler = samplers[n % len(samplers)]
        for resident_id, _, _ in family:
            tube = tubes.get(saved_id(sampler))
            if tube is None or tube.closed:
                opened += 1
                barcode = f"QQ{today_local():%y%m%d}{opened:05d}"
                tube = testing.open_tube(session, sampler, {"site_id": site_id, "barcode": barcode})
            if rng.random() < 0.9:
                tube = testing.scan_code(session, sampler, tube.id, personal_code(resident_id))
            else:
                tube = testing.scan_member(session, sampler, tube.id, resident_id)
            tubes[saved_id(sampler)] = tube
    _mark_some(session, staff, round_id, left)
    _home_visits(session, staff, round_id)


def _grid_volunteer(session: Session, resident_id: int, fallback: User) -> User:
    """The volunteer of the resident's grid (staff when the grid has none)."""
    found = session.exec(
        select(User)
        .join(Building, col(Building.grid_id) == User.grid_id)
        .join(Household, col(Household.building_id) == Building.id)
        .join(Resident, col(Resident.household_id) == Household.id)
        .where(Resident.id == resident_id, User.role == Role.VOLUNTEER)
        .order_by(col(User.id))
    ).first()
    return found or fallback


def _mark_some(
    session: Session, staff: User, round_id: int, left: list[tuple[int, int, int]]
) -> None:
    """The first few missed families' heads accounted for; the rest wait on the missed list."""
    heads = [next(family)[0] for _, family in groupby(left, key=lambda p: p[1])]
    for resident_id, (kind, reason) in zip(heads[:: max(1, len(heads) // 4)], _MARKS, strict=False):
        volunteer = _grid_volunteer(session, resident_id, staff)
        testing.mark_missed(
            session, volunteer, round_id, resident_id, {"kind": kind, "reason": reason}
        )


def _home_visits(session: Session, staff: User, round_id: int) -> None:
    """Of the home sampling tasks planning listed, two taken by their grid's volunteer and one
    of those sampled (a home tube); the rest open."""
    tasks = testing.home_tasks(session, staff, round_id)
    for i, task in enumerate(tasks[:2]):
        volunteer = _grid_volunteer(session, task.resident_id, staff)
        testing.take_home_task(session, volunteer, task.id)
        if i == 0:
            barcode = f"QH{today_local():%y%m%d}00001"
            testing.finish_home_task(session, volunteer, task.id, barcode)
