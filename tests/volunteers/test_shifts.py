"""Teams, posts, shifts, check-in and hours, watchers, suspension and the hours export."""

import threading
from datetime import time, timedelta
from io import BytesIO

import pytest
from sqlalchemy import create_engine, func
from sqlalchemy.exc import IntegrityError
from sqlalchemy.pool import NullPool
from sqlmodel import Session, select

from app.accounts import service as accounts
from app.accounts.models import Role
from app.community.models import Building
from app.errors import Forbidden, InvalidInput, ServiceError
from app.timeutil import to_local, utcnow
from app.volunteers import service, shifts
from app.volunteers.models import Post, PostKind, Shift, ShiftSignup, Team, Watcher
from tests.conftest import add_user


def _post(db, world, name="望江花园东门") -> Post:
    post = Post(
        community_id=world.community.id,
        name=name,
        kind=PostKind.GATE,
        opens=time(0, 0),
        closes=time(23, 59),
    )
    db.add(post)
    db.commit()
    return post


def _shift(db, post, starts_in: timedelta, hours: float = 4, capacity: int = 3) -> Shift:
    """A shift at a time relative to now (the service refuses past ones; tests need some)."""
    starts = utcnow() + starts_in
    shift = Shift(
        post_id=post.id,
        community_id=post.community_id,
        starts_at=starts,
        ends_at=starts + timedelta(hours=hours),
        capacity=capacity,
    )
    db.add(shift)
    db.commit()
    return shift


def _tomorrow():
    return shifts.today_local() + timedelta(days=1)


def _volunteers(db, world, count: int, prefix: str = "1360000") -> list:
    return [
        add_user(db, f"{prefix}{i:04d}", Role.VOLUNTEER, world.community, name=f"志愿者{i}")
        for i in range(count)
    ]


def _count(db, model) -> int:
    return db.exec(select(func.count()).select_from(model)).one()


# ---------------------------------------------------------------- posts and shifts


def test_staff_create_a_week_of_shifts_in_one_go(db, world):
    post = shifts.create_post(
        db,
        world.staff,
        world.community.id,
        {"name": "望江花园东门", "kind": "gate", "opens": "06:00", "closes": "22:00"},
    )
    week = shifts.create_shifts(
        db,
        world.staff,
        {
            "post_id": post.id,
            "first_day": _tomorrow(),
            "days": 7,
            "start": "08:00",
            "end": "12:00",
            "capacity": 3,
        },
    )
    assert len(week) == 7
    first = to_local(week[0].starts_at)
    assert (first.date(), first.strftime("%H:%M")) == (_tomorrow(), "08:00")
    day = shifts.roster_day(db, world.staff, world.community.id, _tomorrow())
    assert [
        (p.post.name, [(s.starts, s.ends, s.capacity) for s in p.shifts]) for p in day.posts
    ] == [("望江花园东门", [("08:00", "12:00", 3)])]
    assert day.unfilled == 1


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({"first_day": "2020-01-01"}, {"first_day": "errors.shift_in_past"}),
        ({"start": "12:00", "end": "08:00"}, {"end": "errors.end_before_start"}),
        ({"capacity": 0}, {"capacity": "errors.capacity_too_small"}),
        ({"capacity": -2}, {"capacity": "errors.capacity_too_small"}),
        ({"start": "05:00"}, {"start": "errors.shift_outside_hours"}),
        ({"days": 40}, {"days": "errors.days_out_of_range"}),
        ({"start": "8点"}, {"start": "errors.time_invalid"}),
    ],
)
def test_bad_shifts_are_refused_and_nothing_is_saved(db, world, changes, errors):
    post = shifts.create_post(
        db,
        world.staff,
        world.community.id,
        {"name": "锦城苑北门", "kind": "checkpoint", "opens": "06:00", "closes": "22:00"},
    )
    data = {
        "post_id": post.id,
        "first_day": _tomorrow(),
        "days": 3,
        "start": "08:00",
        "end": "12:00",
        "capacity": 2,
        **changes,
    }
    with pytest.raises(InvalidInput) as exc:
        shifts.create_shifts(db, world.staff, data)
    assert exc.value.fields == errors
    assert _count(db, Shift) == 0


def test_a_week_starting_today_after_the_hour_is_refused_whole(db, world):
    post = _post(db, world)
    with pytest.raises(InvalidInput) as exc:
        shifts.create_shifts(
            db,
            world.staff,
            {
                "post_id": post.id,
                "first_day": shifts.today_local(),
                "days": 7,
                "start": "00:00",
                "end": "00:30",
                "capacity": 2,
            },
        )
    assert exc.value.fields == {"start": "errors.shift_in_past"}
    assert _count(db, Shift) == 0


def test_a_post_closes_after_it_opens(db, world):
    with pytest.raises(InvalidInput) as exc:
        shifts.create_post(
            db,
            world.staff,
            world.community.id,
            {"name": "物资点", "kind": "supplies", "opens": "20:00", "closes": "08:00"},
        )
    assert exc.value.fields == {"closes": "errors.closes_before_opens"}


def test_staff_of_another_community_cannot_add_shifts(db, world):
    post = _post(db, world)
    with pytest.raises(Forbidden):
        shifts.create_shifts(
            db,
            world.far_staff,
            {
                "post_id": post.id,
                "first_day": _tomorrow(),
                "start": "08:00",
                "end": "12:00",
                "capacity": 2,
            },
        )


# ---------------------------------------------------------------- signing up


def test_a_volunteer_signs_up_and_sees_the_shift_as_theirs(db, world):
    shift = _shift(db, _post(db, world), timedelta(days=1))
    shifts.sign_up_shift(db, world.volunteer, shift.id)
    mine = shifts.my_duty(db, world.volunteer)
    assert [s.id for s in mine.upcoming] == [shift.id]
    assert shift.id not in [s.id for s in mine.open_shifts]
    db.refresh(shift)
    assert shift.taken == 1
    with pytest.raises(ServiceError) as exc:
        shifts.sign_up_shift(db, world.volunteer, shift.id)
    assert exc.value.code == "errors.shift_already_yours"


def test_a_full_shift_says_so(db, world):
    shift = _shift(db, _post(db, world), timedelta(days=1), capacity=1)
    first, second = _volunteers(db, world, 2)
    shifts.sign_up_shift(db, first, shift.id)
    with pytest.raises(ServiceError) as exc:
        shifts.sign_up_shift(db, second, shift.id)
    assert exc.value.code == "errors.shift_full"
    assert _count(db, ShiftSignup) == 1


def test_overlapping_shifts_are_refused_with_the_other_shift_named(db, world):
    gate, supplies = _post(db, world), _post(db, world, "物资发放点")
    morning = _shift(db, gate, timedelta(days=1), hours=4)
    overlapping = _shift(db, supplies, timedelta(days=1, hours=2), hours=4)
    after = _shift(db, supplies, timedelta(days=1, hours=4), hours=4)  # starts as it ends
    shifts.sign_up_shift(db, world.volunteer, morning.id)
    with pytest.raises(ServiceError) as exc:
        shifts.sign_up_shift(db, world.volunteer, overlapping.id)
    assert exc.value.code == "errors.shift_overlaps"
    assert exc.value.params["post"] == "望江花园东门"
    shifts.sign_up_shift(db, world.volunteer, after.id)
    db.refresh(overlapping)
    assert overlapping.taken == 0


def test_the_database_itself_refuses_an_overfilled_shift(db, world):
    shift = _shift(db, _post(db, world), timedelta(days=1), capacity=1)
    shift.taken = 2
    db.add(shift)
    with pytest.raises(IntegrityError):
        db.commit()
    db.rollback()


def _race(engine, shift_id: int, users: list) -> list[str]:
    """Every volunteer presses 'sign up' at the same moment, each on a connection of its own
    (no pool: 30 phones are 30 connections)."""
    url = engine.url.render_as_string(hide_password=False)
    sqlite = engine.dialect.name == "sqlite"
    racing = create_engine(
        url,
        poolclass=NullPool,
        connect_args={"timeout": 30, "check_same_thread": False} if sqlite else {},
    )
    barrier = threading.Barrier(len(users))
    outcomes: list[str] = []
    lock = threading.Lock()

    def press(user) -> None:
        barrier.wait(60)
        with Session(racing, expire_on_commit=False) as session:
            try:
                shifts.sign_up_shift(session, user, shift_id)
                outcome = "ok"
            except ServiceError as exc:
                outcome = exc.code
            except Exception as exc:  # noqa: BLE001 (reported in the assertion)
                outcome = repr(exc)
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=press, args=(user,)) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    racing.dispose()
    return outcomes


def test_thirty_volunteers_racing_for_three_places_fill_exactly_three(db, world, engine):
    shift = _shift(db, _post(db, world), timedelta(days=1), capacity=3)
    racers = _volunteers(db, world, 30)
    outcomes = _race(engine, shift.id, racers)
    assert sorted(outcomes) == ["errors.shift_full"] * 27 + ["ok"] * 3
    db.expire_all()
    assert db.get(Shift, shift.id).taken == 3
    assert _count(db, ShiftSignup) == 3


# ---------------------------------------------------------------- dropping, check-in, hours


def test_dropping_needs_two_hours_notice(db, world):
    post = _post(db, world)
    later = _shift(db, post, timedelta(hours=5))
    soon = _shift(db, post, timedelta(hours=1), hours=1)
    shifts.sign_up_shift(db, world.volunteer, later.id)
    shifts.sign_up_shift(db, world.volunteer, soon.id)
    shifts.drop_shift(db, world.volunteer, later.id)
    db.refresh(later)
    assert later.taken == 0
    with pytest.raises(ServiceError) as exc:
        shifts.drop_shift(db, world.volunteer, soon.id)
    assert (exc.value.code, exc.value.params) == ("errors.drop_too_late", {"hours": 2})
    db.refresh(soon)
    assert soon.taken == 1


def test_check_in_only_around_the_shift_and_hours_come_from_check_in_and_out(db, world):
    post = _post(db, world)
    now_shift = _shift(db, post, timedelta(minutes=10), hours=2)
    tomorrow = _shift(db, post, timedelta(days=1), hours=2)
    shifts.sign_up_shift(db, world.volunteer, now_shift.id)
    shifts.sign_up_shift(db, world.volunteer, tomorrow.id)
    with pytest.raises(ServiceError) as exc:
        shifts.check_in(db, world.volunteer, tomorrow.id)
    assert exc.value.code == "errors.check_in_too_early"
    with pytest.raises(ServiceError) as exc:
        shifts.check_out(db, world.volunteer, now_shift.id)
    assert exc.value.code == "errors.not_checked_in"

    shifts.check_in(db, world.volunteer, now_shift.id)
    mine = shifts.my_duty(db, world.volunteer)
    assert mine.current is not None and mine.current.id == now_shift.id
    assert mine.current.checked_in
    day = shifts.roster_day(db, world.staff, world.community.id, shifts.today_local())
    assert [d.name for d in day.on_duty] == [world.volunteer.name]

    # Three hours and a half on duty, as recorded.
    signup = db.exec(select(ShiftSignup).where(ShiftSignup.shift_id == now_shift.id)).one()
    signup.checked_in_at = utcnow() - timedelta(hours=3, minutes=30)
    db.add(signup)
    db.commit()
    shifts.check_out(db, world.volunteer, now_shift.id)
    assert shifts.my_duty(db, world.volunteer).hours == 3.5
    assert (
        shifts.roster_day(db, world.staff, world.community.id, shifts.today_local()).on_duty == []
    )
    with pytest.raises(ServiceError) as exc:
        shifts.check_out(db, world.volunteer, now_shift.id)
    assert exc.value.code == "errors.already_checked_out"


# ---------------------------------------------------------------- teams and watchers


def test_teams_have_members_and_a_leader_from_among_them(db, world):
    a, b, c = _volunteers(db, world, 3)
    building = world.household.building_id
    team = shifts.create_team(
        db,
        world.staff,
        world.community.id,
        {"name": "第一小队", "grid_id": world.grid.id, "building_ids": [building]},
    )
    for v in (a, b, c):
        shifts.add_member(db, world.staff, team.id, v.id)
    with pytest.raises(InvalidInput) as exc:
        shifts.set_leader(db, world.staff, team.id, world.volunteer.id)
    assert exc.value.fields == {"user_id": "errors.leader_not_member"}
    shifts.set_leader(db, world.staff, team.id, b.id)
    other = shifts.create_team(db, world.staff, world.community.id, {"name": "第二小队"})
    with pytest.raises(ServiceError) as exc:
        shifts.add_member(db, world.staff, other.id, a.id)
    assert (exc.value.code, exc.value.params) == ("errors.in_other_team", {"team": "第一小队"})
    shifts.remove_member(db, world.staff, team.id, b.id)

    [view, _] = shifts.teams(db, world.staff, world.community.id)
    assert (view.leader, view.grid, view.buildings) == ("", "第一网格", ["望江花园 3"])
    assert [name for _, name in view.members] == [a.name, c.name]
    assert shifts.my_duty(db, a).team == "第一小队"
    assert shifts.my_duty(db, a).teammates == [c.name]


def test_a_team_name_is_used_once_and_staff_cannot_add_a_resident(db, world):
    team = shifts.create_team(db, world.staff, world.community.id, {"name": "第一小队"})
    with pytest.raises(InvalidInput) as exc:
        shifts.create_team(db, world.staff, world.community.id, {"name": "第一小队"})
    assert exc.value.fields == {"name": "errors.name_taken"}
    with pytest.raises(InvalidInput) as exc:
        shifts.add_member(db, world.staff, team.id, world.resident.id)
    assert exc.value.fields == {"user_id": "errors.not_a_volunteer"}
    assert _count(db, Team) == 1


def test_one_watcher_per_building(db, world):
    building = world.household.building_id
    first, second = _volunteers(db, world, 2)
    shifts.set_watcher(db, world.staff, building, first.id)
    shifts.set_watcher(db, world.staff, building, second.id)  # replaces the first
    views = {w.building_id: w for w in shifts.watchers(db, world.staff, world.community.id)}
    assert views[building].name == second.name
    assert shifts.my_duty(db, second).watching == ["望江花园 3"]
    db.add(Watcher(building_id=building, user_id=first.id, community_id=world.community.id))
    with pytest.raises(IntegrityError):
        db.commit()
    db.rollback()
    assert db.get(Building, building) is not None


# ---------------------------------------------------------------- suspension


def test_a_suspended_volunteer_loses_every_open_session_and_their_future_places(db, world):
    shift = _shift(db, _post(db, world), timedelta(days=1))
    phone = accounts.login(db, world.volunteer.mobile, "Secret123", client="phone").token
    tablet = accounts.login(db, world.volunteer.mobile, "Secret123", client="tablet").token
    shifts.sign_up_shift(db, world.volunteer, shift.id)

    service.suspend(db, world.staff, world.volunteer.id)
    assert accounts.user_for_token(db, phone) is None
    assert accounts.user_for_token(db, tablet) is None
    assert accounts.account_disabled(db, phone)  # the login page says why
    with pytest.raises(ServiceError) as exc:
        accounts.login(db, world.volunteer.mobile, "Secret123", client="phone")
    assert exc.value.code == "errors.account_disabled"
    with pytest.raises(Forbidden):
        shifts.sign_up_shift(db, accounts.user_for_token(db, phone), shift.id)
    db.refresh(shift)
    assert shift.taken == 0
    [view] = shifts.community_volunteers(db, world.staff, world.community.id)
    assert view.suspended

    service.reinstate(db, world.staff, world.volunteer.id)
    assert accounts.user_for_token(db, phone).id == world.volunteer.id


def test_only_volunteers_of_ones_own_community_can_be_suspended(db, world):
    with pytest.raises(ServiceError) as exc:
        service.suspend(db, world.staff, world.resident.id)
    assert exc.value.code == "errors.not_found"
    with pytest.raises(Forbidden):
        service.suspend(db, world.far_staff, world.volunteer.id)


# ---------------------------------------------------------------- export


def test_hours_export_has_a_row_per_volunteer_and_per_shift(db, world):
    from openpyxl import load_workbook

    post = _post(db, world)
    shift = _shift(db, post, timedelta(minutes=5), hours=2)
    shifts.sign_up_shift(db, world.volunteer, shift.id)
    shifts.check_in(db, world.volunteer, shift.id)
    data = shifts.export_hours(db, world.staff, world.community.id)
    book = load_workbook(BytesIO(data))
    summary = list(book["志愿时长"].values)
    assert summary[0][0] == "姓名" and summary[1][0] == world.volunteer.name
    assert summary[1][4:6] == (1, 1)
    detail = list(book["值班记录"].values)
    assert detail[1][1] == "望江花园东门" and detail[1][4] == world.volunteer.name


# ---------------------------------------------------------------- demo


def test_the_demo_has_posts_shifts_for_this_week_a_team_and_watchers(db):
    from app.accounts.models import User
    from app.demo import load_demo

    load_demo(db, scale=0.05)
    volunteer = db.exec(select(User).where(User.mobile == "13900000001")).one()
    mine = shifts.my_duty(db, volunteer)
    assert (mine.team, mine.leader) == ("第一小队", volunteer.name)
    assert len(mine.teammates) == 2 and len(mine.watching) == 1
    assert len(mine.upcoming) == 1
    staff = db.exec(select(User).where(User.mobile == "13800000001")).one()
    week = [
        shifts.roster_day(db, staff, staff.community_id, shifts.today_local() + timedelta(days=d))
        for d in range(7)
    ]
    assert all(len(day.posts) == 3 and day.unfilled > 0 for day in week)
    assert _count(db, Watcher) == 6
