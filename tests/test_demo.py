"""The demo community: its size, its register, and that every demo login works."""

import re
from collections import Counter
from datetime import date

import pytest
from sqlalchemy import func
from sqlmodel import Session, SQLModel, select

import app.accounts.models  # noqa: F401  (tables)
import app.community.models  # noqa: F401  (tables)
from app.accounts.models import Role, User
from app.accounts.service import login
from app.community.models import (
    Building,
    Community,
    Compound,
    Grid,
    Household,
    Resident,
    Street,
    Unit,
)
from app.db import make_engine, session_scope
from app.demo import DEMO_PASSWORD, REFERENCE_DATE, load_demo

QINGQUAN_MOBILES = {
    "13800000003",
    "13800000004",
    *[f"139000000{n}" for n in (11, 12, 13, 14)],
    *[f"137000000{n}" for n in (11, 12, 13, 19)],
}
TABLES = (Street, Community, Compound, Grid, Building, Unit, Household, Resident, User)


def _fresh_engine(directory):
    engine = make_engine(f"sqlite:///{directory}/t.db")
    SQLModel.metadata.create_all(engine)
    return engine


def _counts(session: Session) -> dict[str, int]:
    return {
        table.__name__: session.exec(select(func.count()).select_from(table)).one()
        for table in TABLES
    }


def _age(born: date) -> int:
    before_birthday = (born.month, born.day) > (REFERENCE_DATE.month, REFERENCE_DATE.day)
    return REFERENCE_DATE.year - born.year - before_birthday


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The full-scale demo, loaded once for the module: (engine, logins)."""
    engine = _fresh_engine(tmp_path_factory.mktemp("demo"))
    with session_scope(engine) as session:
        logins = load_demo(session)
    yield engine, logins
    engine.dispose()


@pytest.fixture
def session(demo):
    engine, _ = demo
    with session_scope(engine) as session:
        yield session


@pytest.fixture
def logins(demo):
    return demo[1]


def test_full_scale_has_the_size_of_a_real_community(session):
    counts = _counts(session)
    assert counts["Street"] == 1
    assert counts["Community"] == 2
    assert counts["Compound"] == 8
    assert 2_700 <= counts["Household"] <= 3_300
    assert 7_500 <= counts["Resident"] <= 8_800
    names = set(session.exec(select(Community.name)).all())
    assert names == {"锦官驿社区", "清泉社区"}
    per_community = Counter(session.exec(select(Compound.community_id)).all())
    assert sorted(per_community.values()) == [4, 4]


def test_compounds_differ_in_size(session):
    sizes = session.exec(
        select(Compound.name, func.count(Household.id))
        .join(Household, Household.compound_id == Compound.id)
        .group_by(Compound.id)
    ).all()
    smallest, largest = min(n for _, n in sizes), max(n for _, n in sizes)
    assert smallest < 100 < 500 < largest  # an old 院落 next to a big new 小区
    assert any(name.endswith("院落") for name, _ in sizes)


def test_every_household_has_a_unique_address_and_residents(session):
    households = session.exec(select(Household)).all()
    addresses = [h.address for h in households]
    assert len(set(addresses)) == len(addresses)

    empty = session.exec(
        select(func.count())
        .select_from(Household)
        .outerjoin(Resident, Resident.household_id == Household.id)
        .where(Resident.id.is_(None))
    ).one()
    assert empty == 0

    rows = session.exec(
        select(Household, Unit, Building, Compound)
        .join(Unit, Unit.id == Household.unit_id)
        .join(Building, Building.id == Unit.building_id)
        .join(Compound, Compound.id == Building.compound_id)
    ).all()
    assert len(rows) == len(households)
    for household, unit, building, compound in rows:
        assert household.address == (
            f"{compound.name} {building.number}-{unit.number}-{household.door}"
        )
        assert re.fullmatch(r"[1-9]\d?0[1-9]", household.door)
        assert household.compound_id == compound.id
        assert household.community_id == compound.community_id


def test_every_building_is_in_a_grid_of_its_community(session):
    rows = session.exec(
        select(Building, Compound, Grid)
        .join(Compound, Compound.id == Building.compound_id)
        .outerjoin(Grid, Grid.id == Building.grid_id)
    ).all()
    for _, compound, grid in rows:
        assert grid is not None
        assert grid.community_id == compound.community_id
    grids = session.exec(select(Grid)).all()
    per_community = Counter(g.community_id for g in grids)
    assert all(4 <= n <= 6 for n in per_community.values())
    for grid in grids:
        assert re.fullmatch(r"第[一二三四五六]网格", grid.name)
        assert grid.worker_name
        assert re.fullmatch(r"1[3589]\d{9}", grid.worker_mobile)


def test_register_reads_like_real_families(session):
    residents = session.exec(select(Resident).order_by(Resident.id)).all()
    by_household: dict[int, list[Resident]] = {}
    for resident in residents:
        by_household.setdefault(resident.household_id, []).append(resident)

    sizes = [len(members) for members in by_household.values()]
    assert min(sizes) == 1 and max(sizes) == 5
    assert 2.5 <= sum(sizes) / len(sizes) <= 2.9

    alone_elderly = 0
    for members in by_household.values():
        head = members[0]
        assert head.relation == "户主"
        assert [m.relation for m in members].count("户主") == 1
        assert _age(head.birth_date) >= 18
        for member in members:
            if member.relation == "子女":
                assert _age(member.birth_date) < _age(head.birth_date)
            if member.relation == "父母":
                assert _age(member.birth_date) > _age(head.birth_date)
        if len(members) == 1 and _age(head.birth_date) >= 75:
            alone_elderly += 1
    assert alone_elderly >= 50  # 独居老人, the people screening rounds must not miss

    for resident in residents:
        assert 2 <= len(resident.name) <= 3
        if _age(resident.birth_date) < 12:
            assert resident.mobile == ""
    mobiles = [r.mobile for r in residents if r.mobile]
    assert len(mobiles) > len(residents) * 0.6
    assert len(set(mobiles)) == len(mobiles)
    assert all(re.fullmatch(r"1[3589]\d{9}", m) for m in mobiles)
    surnames = Counter(r.name[0] for r in residents)
    assert {s for s, _ in surnames.most_common(5)} <= set("王李张刘陈杨黄赵吴周")


def test_logins_come_in_role_order_with_the_agreed_numbers(logins):
    assert [(x.role, x.mobile) for x in logins] == [
        (Role.ADMIN, "13800000000"),
        (Role.STREET_STAFF, "13800000009"),
        (Role.STAFF, "13800000001"),
        (Role.STAFF, "13800000002"),
        (Role.STAFF, "13800000003"),
        (Role.STAFF, "13800000004"),
        *[(Role.VOLUNTEER, f"139000000{n:02d}") for n in (1, 2, 3, 4, 11, 12, 13, 14)],
        *[(Role.RESIDENT, f"137000000{n:02d}") for n in (1, 2, 3, 11, 12, 13)],
        (Role.RESIDENT, "13700000009"),
        (Role.RESIDENT, "13700000019"),
    ]
    assert logins[0].name == "系统管理员" and logins[0].community == ""
    assert logins[1].community == "东湖街道"
    for entry in logins[2:]:
        expected = "清泉社区" if entry.mobile in QINGQUAN_MOBILES else "锦官驿社区"
        assert entry.community == expected
        assert 2 <= len(entry.name) <= 3


def test_every_demo_login_can_log_in(session, logins):
    for entry in logins:
        result = login(session, entry.mobile, DEMO_PASSWORD, client="test")
        assert result.token
        assert result.user.role == entry.role
        assert result.user.name == entry.name


def test_accounts_belong_to_their_street_and_community(session, logins):
    street = session.exec(select(Street)).one()
    communities = {c.name: c for c in session.exec(select(Community))}
    users = {u.mobile: u for u in session.exec(select(User))}
    admin = users[logins[0].mobile]
    assert admin.street_id is None and admin.community_id is None
    assert users[logins[1].mobile].street_id == street.id
    assert users[logins[1].mobile].community_id is None
    for entry in logins[2:]:
        user = users[entry.mobile]
        assert user.community_id == communities[entry.community].id
        assert user.street_id == street.id


def test_linked_residents_live_in_their_community(session, logins):
    linked = [e for e in logins if e.role == Role.RESIDENT][:6]
    for entry in linked:
        user = session.exec(select(User).where(User.mobile == entry.mobile)).one()
        household = session.get(Household, user.household_id)
        assert household is not None
        assert household.community_id == user.community_id
        head = session.exec(
            select(Resident).where(
                Resident.household_id == household.id, Resident.relation == "户主"
            )
        ).one()
        assert (head.name, head.mobile) == (user.name, user.mobile)


def test_pending_residents_claim_a_real_address_and_wait(session, logins):
    pending = [e for e in logins if e.role == Role.RESIDENT][6:]
    assert len(pending) == 2
    for entry in pending:
        user = session.exec(select(User).where(User.mobile == entry.mobile)).one()
        assert user.household_id is None
        household = session.exec(
            select(Household).where(Household.address == user.claimed_address)
        ).one()
        assert household.community_id == user.community_id
        # They are in that household's register, so staff can confirm who they are.
        member = session.exec(
            select(Resident).where(
                Resident.household_id == household.id, Resident.mobile == user.mobile
            )
        ).one()
        assert member.name == user.name


def test_loading_twice_creates_nothing(session, logins):
    before = _counts(session)
    again = load_demo(session)
    assert again == logins
    assert _counts(session) == before


def test_small_scale_is_complete_and_the_same_every_run(tmp_path):
    registers = []
    for run in ("a", "b"):
        engine = _fresh_engine(tmp_path / run)
        with session_scope(engine) as session:
            logins = load_demo(session, scale=0.05)
            counts = _counts(session)
            assert counts["Compound"] == 8
            assert counts["Building"] >= 8
            assert 100 <= counts["Household"] <= 800
            assert len(logins) == 22
            compounds_without_households = session.exec(
                select(func.count())
                .select_from(Compound)
                .outerjoin(Household, Household.compound_id == Compound.id)
                .where(Household.id.is_(None))
            ).one()
            assert compounds_without_households == 0
            registers.append(
                session.exec(
                    select(Household.address, Resident.name, Resident.birth_date, Resident.mobile)
                    .join(Resident, Resident.household_id == Household.id)
                    .order_by(Resident.id)
                ).all()
            )
            login(session, logins[-1].mobile, DEMO_PASSWORD, client="test")
        engine.dispose()
    assert registers[0] == registers[1]


def test_loads_on_the_migrated_schema(engine):
    """The `engine` fixture (conftest) is built from the Alembic migrations, on SQLite and on
    PostgreSQL when TEST_DATABASE_URL is set."""
    with session_scope(engine) as session:
        logins = load_demo(session, scale=0.05)
        counts = _counts(session)
        assert counts["Compound"] == 8 and counts["Household"] > 0
        linked = session.exec(select(User).where(User.household_id.is_not(None))).all()
        assert len(linked) == 6
        for user in linked:
            household = session.get(Household, user.household_id)
            assert household.community_id == user.community_id
        assert load_demo(session, scale=0.05) == logins
        assert _counts(session) == counts


def test_demo_volunteers_each_work_in_a_grid_of_their_community(session):
    from app.community.service import search

    volunteers = session.exec(select(User).where(User.role == Role.VOLUNTEER)).all()
    assert len(volunteers) == 8
    for volunteer in volunteers:
        grid = session.get(Grid, volunteer.grid_id)
        assert grid is not None and grid.community_id == volunteer.community_id
        door = session.exec(
            select(Household.door_key, Household.address)
            .join(Building, Building.id == Household.building_id)
            .where(Building.grid_id == grid.id)
        ).first()
        assert door.address in {hit.address for hit in search(session, volunteer, door.door_key)}


def test_qingquan_tests_today_and_tested_three_days_ago(session):
    """核酸检测: today's round under way at one of two sites, and an ended round, negative."""
    from app.testing import service as testing

    staff = session.exec(select(User).where(User.mobile == "13800000003")).one()
    rounds = testing.testing_rounds(session, staff, staff.community_id)
    today = [r for r in rounds if r.open]
    ended = [r for r in rounds if not r.open]
    assert len(today) == 1 and len(ended) == 1
    assert today[0].mode == "pool10" and today[0].compounds == 4
    assert ended[0].test_date < today[0].test_date

    board = testing.board(session, staff, today[0].id)
    assert 0 < board.total.sampled < board.total.due
    assert board.tubes > board.tubes_open > 0  # full tubes sealed, the samplers' last ones open
    sites = testing.sites(session, staff, today[0].id)
    assert [s.name for s in sites] == ["东门广场采样点", "北区活动室采样点"]
    assert all(s.opens == "07:30" and s.closes == "11:30" and s.capacity > 0 for s in sites)
    slotted = {slot.building_id for s in sites for slot in s.slots}
    assert len(slotted) == sum(len(c.buildings) for c in board.compounds)
    assert len({slot.starts for s in sites for slot in s.slots}) >= 6  # spread over the hours

    first_buildings = [slot.building_id for slot in sites[0].slots[:3]]
    marks = [
        person.mark
        for building_id in first_buildings
        for door in testing.missed_list(session, staff, today[0].id, building_id).doors
        for person in door.people
        if person.mark
    ]
    assert 1 <= len(marks) <= 4
    tasks = testing.home_tasks(session, staff, today[0].id)
    assert {t.status for t in tasks} == {"open", "taken", "done"}
    assert all(t.reason == "care" for t in tasks)  # no one in 清泉社区 is in home quarantine

    before = testing.board(session, staff, ended[0].id)
    assert before.total.sampled > before.total.due * 0.95
    assert before.tubes > 0 and before.tubes_open == 0 and before.tubes_positive == 0
    assert before.total.home_open == 0
    from app.testing.models import Tube, TubeResult

    results = session.exec(select(Tube.result).where(Tube.round_id == ended[0].id)).all()
    assert set(results) == {TubeResult.NEGATIVE}
