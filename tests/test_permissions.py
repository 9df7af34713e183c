"""The permission matrix: every service operation × every role → allowed or refused.

Each row calls the real service with each role's user (and with nobody); "allowed" means the
call got past its permission checks, "refused" means it raised Forbidden. A second test
makes sure no service operation that takes an actor is missing from the matrix."""

import inspect
import itertools
from collections.abc import Callable
from datetime import time, timedelta

import pytest
from sqlmodel import select

from app.accounts import service as accounts
from app.accounts.models import Role
from app.community import roster
from app.community import service as community
from app.community.models import Resident
from app.errors import Forbidden
from app.timeutil import utcnow
from app.volunteers import roster as rosters
from app.volunteers import service as volunteers
from app.volunteers.models import Post, PostKind, Shift, ShiftSignup, Team, TeamMember
from tests.conftest import add_user

ROLES = ("anonymous", "resident", "volunteer", "staff", "street_staff", "admin")
SERVICE_MODULES = {
    "accounts": accounts,
    "community": community,
    "roster": roster,
    "volunteers": volunteers,
    "rosters": rosters,
}

Y, N = True, False
# Volunteer rosters (issue 6): staff run them; volunteers take shifts.
STAFF_ONLY = dict(anonymous=N, resident=N, volunteer=N, staff=Y, street_staff=Y, admin=Y)
VOLUNTEER_ONLY = dict(anonymous=N, resident=N, volunteer=Y, staff=N, street_staff=N, admin=N)
_mobiles = itertools.count(13500000000)


def _fresh_mobile() -> str:
    """Allowed calls commit, so each account created here needs a number of its own."""
    return str(next(_mobiles))


# operation: (call(db, actor, world), {role: allowed})
MATRIX: dict[str, tuple[Callable, dict[str, bool]]] = {
    "accounts.create_account/volunteer": (
        lambda db, actor, w: accounts.create_account(
            db,
            actor,
            {
                "name": "新志愿者",
                "mobile": _fresh_mobile(),
                "password": "Abc12345",
                "role": "volunteer",
                "community_id": w.community.id,
            },
        ),
        dict(anonymous=N, resident=N, volunteer=N, staff=Y, street_staff=N, admin=Y),
    ),
    "accounts.create_account/staff": (
        lambda db, actor, w: accounts.create_account(
            db,
            actor,
            {
                "name": "新同事",
                "mobile": _fresh_mobile(),
                "password": "Abc12345",
                "role": "staff",
                "community_id": w.community.id,
            },
        ),
        dict(anonymous=N, resident=N, volunteer=N, staff=Y, street_staff=Y, admin=Y),
    ),
    "accounts.create_account/street_staff": (
        lambda db, actor, w: accounts.create_account(
            db,
            actor,
            {
                "name": "街道干部",
                "mobile": _fresh_mobile(),
                "password": "Abc12345",
                "role": "street_staff",
                "street_id": w.street.id,
            },
        ),
        dict(anonymous=N, resident=N, volunteer=N, staff=N, street_staff=Y, admin=Y),
    ),
    "accounts.pending_residents": (
        lambda db, actor, w: accounts.pending_residents(db, actor, w.community.id),
        dict(anonymous=N, resident=N, volunteer=N, staff=Y, street_staff=Y, admin=Y),
    ),
    "accounts.find_household": (
        lambda db, actor, w: accounts.find_household(db, actor, w.community.id, "3-2-501"),
        dict(anonymous=N, resident=N, volunteer=N, staff=Y, street_staff=Y, admin=Y),
    ),
    "accounts.link_household": (
        lambda db, actor, w: accounts.link_household(db, actor, w.resident.id, w.household.id),
        dict(anonymous=N, resident=N, volunteer=N, staff=Y, street_staff=Y, admin=Y),
    ),
    "accounts.set_locale": (
        lambda db, actor, w: accounts.set_locale(db, actor, "en"),
        dict(anonymous=N, resident=Y, volunteer=Y, staff=Y, street_staff=Y, admin=Y),
    ),
    "community.community_counts": (
        lambda db, actor, w: community.community_counts(db, actor, w.community.id),
        dict(anonymous=N, resident=N, volunteer=Y, staff=Y, street_staff=Y, admin=Y),
    ),
    "community.street_overview": (
        lambda db, actor, w: community.street_overview(db, actor),
        dict(anonymous=N, resident=N, volunteer=N, staff=N, street_staff=Y, admin=Y),
    ),
    "community.household_file": (
        lambda db, actor, w: community.household_file(db, actor, w.household.id),
        dict(anonymous=N, resident=Y, volunteer=Y, staff=Y, street_staff=Y, admin=Y),
    ),
    "community.search": (
        lambda db, actor, w: community.search(db, actor, "罗"),
        dict(anonymous=N, resident=N, volunteer=Y, staff=Y, street_staff=Y, admin=Y),
    ),
    "community.reveal/mobile": (
        lambda db, actor, w: community.reveal(db, actor, _member(db, w), "mobile"),
        dict(anonymous=N, resident=N, volunteer=Y, staff=Y, street_staff=Y, admin=Y),
    ),
    "community.reveal/id_number": (
        lambda db, actor, w: community.reveal(db, actor, _member(db, w), "id_number"),
        dict(anonymous=N, resident=N, volunteer=N, staff=Y, street_staff=Y, admin=Y),
    ),
    "community.add_resident": (
        lambda db, actor, w: community.add_resident(
            db, actor, w.household.id, {"name": "新成员", "sex": "female"}
        ),
        dict(anonymous=N, resident=Y, volunteer=N, staff=Y, street_staff=Y, admin=Y),
    ),
    "community.update_resident": (
        lambda db, actor, w: community.update_resident(
            db, actor, _member(db, w), {"name": "罗辉", "sex": "male", "relation": "户主"}
        ),
        dict(anonymous=N, resident=Y, volunteer=N, staff=Y, street_staff=Y, admin=Y),
    ),
    "community.places": (
        lambda db, actor, w: community.places(db, actor, w.community.id),
        dict(anonymous=N, resident=N, volunteer=N, staff=Y, street_staff=Y, admin=Y),
    ),
    "community.grids": (
        lambda db, actor, w: community.grids(db, actor, w.community.id),
        dict(anonymous=N, resident=N, volunteer=N, staff=Y, street_staff=Y, admin=Y),
    ),
    "community.add_compound": (
        lambda db, actor, w: community.add_compound(
            db, actor, w.community.id, {"name": f"新小区{_fresh_mobile()}"}
        ),
        dict(anonymous=N, resident=N, volunteer=N, staff=Y, street_staff=Y, admin=Y),
    ),
    "community.add_building": (
        lambda db, actor, w: community.add_building(
            db, actor, {"compound_id": w.household.compound_id, "number": _fresh_mobile()[-6:]}
        ),
        dict(anonymous=N, resident=N, volunteer=N, staff=Y, street_staff=Y, admin=Y),
    ),
    "community.add_grid": (
        lambda db, actor, w: community.add_grid(
            db, actor, w.community.id, {"name": f"网格{_fresh_mobile()}"}
        ),
        dict(anonymous=N, resident=N, volunteer=N, staff=Y, street_staff=Y, admin=Y),
    ),
    "community.assign_building": (
        lambda db, actor, w: community.assign_building(db, actor, w.outside.building_id, w.grid.id),
        dict(anonymous=N, resident=N, volunteer=N, staff=Y, street_staff=Y, admin=Y),
    ),
    "community.grid_volunteers": (
        lambda db, actor, w: community.grid_volunteers(db, actor, w.community.id),
        dict(anonymous=N, resident=N, volunteer=N, staff=Y, street_staff=Y, admin=Y),
    ),
    "community.assign_volunteer_grid": (
        lambda db, actor, w: community.assign_volunteer_grid(db, actor, w.volunteer.id, w.grid.id),
        dict(anonymous=N, resident=N, volunteer=N, staff=Y, street_staff=Y, admin=Y),
    ),
    "roster.plan_import": (
        lambda db, actor, w: roster.plan_import(db, actor, w.community.id, _table(), MAPPING),
        dict(anonymous=N, resident=N, volunteer=N, staff=Y, street_staff=Y, admin=Y),
    ),
    "roster.import_roster": (
        lambda db, actor, w: roster.import_roster(db, actor, w.community.id, _table(), MAPPING),
        dict(anonymous=N, resident=N, volunteer=N, staff=Y, street_staff=Y, admin=Y),
    ),
    "roster.export_roster": (
        lambda db, actor, w: roster.export_roster(db, actor, w.community.id),
        dict(anonymous=N, resident=N, volunteer=N, staff=Y, street_staff=Y, admin=Y),
    ),
    "volunteers.apply": (
        lambda db, actor, w: volunteers.apply(db, actor, _sign_up(w)),
        dict(anonymous=Y, resident=Y, volunteer=N, staff=N, street_staff=N, admin=N),
    ),
    "volunteers.my_application": (
        lambda db, actor, w: volunteers.my_application(db, actor),
        dict(anonymous=N, resident=Y, volunteer=Y, staff=Y, street_staff=Y, admin=Y),
    ),
    "volunteers.pending_applications": (
        lambda db, actor, w: volunteers.pending_applications(db, actor, w.community.id),
        dict(anonymous=N, resident=N, volunteer=N, staff=Y, street_staff=Y, admin=Y),
    ),
    "volunteers.decide": (
        lambda db, actor, w: volunteers.decide(
            db, actor, [volunteers.apply(db, None, _sign_up(w)).id], approve=True
        ),
        dict(anonymous=N, resident=N, volunteer=N, staff=Y, street_staff=Y, admin=Y),
    ),
    "community.audit_log": (
        lambda db, actor, w: community.audit_log(db, actor, w.community.id),
        dict(anonymous=N, resident=N, volunteer=N, staff=Y, street_staff=Y, admin=Y),
    ),
    # ---- volunteer rosters: teams, posts, shifts, watchers, suspension (issue 6)
    "rosters.create_post": (
        lambda db, actor, w: rosters.create_post(
            db,
            actor,
            w.community.id,
            {"name": f"门岗{_fresh_mobile()}", "kind": "gate", "opens": "06:00", "closes": "22:00"},
        ),
        STAFF_ONLY,
    ),
    "rosters.posts": (
        lambda db, actor, w: rosters.posts(db, actor, w.community.id),
        STAFF_ONLY,
    ),
    "rosters.create_shifts": (
        lambda db, actor, w: rosters.create_shifts(
            db,
            actor,
            {
                "post_id": _roster_post(db, w).id,
                "first_day": rosters.today_local() + timedelta(days=1),
                "days": 2,
                "start": "08:00",
                "end": "12:00",
                "capacity": 3,
            },
        ),
        STAFF_ONLY,
    ),
    "rosters.roster_day": (
        lambda db, actor, w: rosters.roster_day(db, actor, w.community.id, rosters.today_local()),
        STAFF_ONLY,
    ),
    "rosters.sign_up_shift": (
        lambda db, actor, w: rosters.sign_up_shift(db, actor, _roster_shift(db, w).id),
        VOLUNTEER_ONLY,
    ),
    "rosters.drop_shift": (
        lambda db, actor, w: rosters.drop_shift(db, actor, _roster_shift(db, w, signed=True).id),
        VOLUNTEER_ONLY,
    ),
    "rosters.check_in": (
        lambda db, actor, w: rosters.check_in(
            db, actor, _roster_shift(db, w, starts_in=timedelta(minutes=10), signed=True).id
        ),
        VOLUNTEER_ONLY,
    ),
    "rosters.check_out": (
        lambda db, actor, w: rosters.check_out(
            db,
            actor,
            _roster_shift(db, w, starts_in=timedelta(hours=-1), signed=True, checked_in=True).id,
        ),
        VOLUNTEER_ONLY,
    ),
    "rosters.my_duty": (
        lambda db, actor, w: rosters.my_duty(db, actor),
        VOLUNTEER_ONLY,
    ),
    "rosters.create_team": (
        lambda db, actor, w: rosters.create_team(
            db, actor, w.community.id, {"name": f"小队{_fresh_mobile()}", "grid_id": w.grid.id}
        ),
        STAFF_ONLY,
    ),
    "rosters.add_member": (
        lambda db, actor, w: rosters.add_member(db, actor, _team(db, w).id, _new_volunteer(db, w)),
        STAFF_ONLY,
    ),
    "rosters.remove_member": (
        lambda db, actor, w: rosters.remove_member(db, actor, *_team_with_member(db, w)),
        STAFF_ONLY,
    ),
    "rosters.set_leader": (
        lambda db, actor, w: rosters.set_leader(db, actor, *_team_with_member(db, w)),
        STAFF_ONLY,
    ),
    "rosters.teams": (
        lambda db, actor, w: rosters.teams(db, actor, w.community.id),
        STAFF_ONLY,
    ),
    "rosters.community_volunteers": (
        lambda db, actor, w: rosters.community_volunteers(db, actor, w.community.id),
        STAFF_ONLY,
    ),
    "rosters.watchers": (
        lambda db, actor, w: rosters.watchers(db, actor, w.community.id),
        STAFF_ONLY,
    ),
    "rosters.set_watcher": (
        lambda db, actor, w: rosters.set_watcher(
            db, actor, w.household.building_id, w.volunteer.id
        ),
        STAFF_ONLY,
    ),
    "rosters.export_hours": (
        lambda db, actor, w: rosters.export_hours(db, actor, w.community.id),
        STAFF_ONLY,
    ),
    "volunteers.suspend": (
        lambda db, actor, w: volunteers.suspend(db, actor, _new_volunteer(db, w)),
        STAFF_ONLY,
    ),
    "volunteers.reinstate": (
        lambda db, actor, w: volunteers.reinstate(db, actor, _new_volunteer(db, w)),
        STAFF_ONLY,
    ),
    # ---- end of volunteer rosters
}

# Operations that act on one community, tried by a user of a community they do not run.
OUT_OF_SCOPE = {
    "rosters.create_post": "far_staff",
    "rosters.create_shifts": "far_staff",
    "rosters.roster_day": "far_staff",
    "rosters.add_member": "far_staff",
    "rosters.set_watcher": "far_staff",
    "rosters.export_hours": "far_staff",
    "volunteers.suspend": "far_staff",
    "volunteers.pending_applications": "far_staff",
    "volunteers.decide": "far_staff",
    "community.grid_volunteers": "far_staff",
    "roster.plan_import": "far_staff",
    "roster.export_roster": "far_staff",
    "community.household_file": "far_staff",
    "community.reveal/mobile": "far_staff",
    "community.update_resident": "far_staff",
    "community.places": "far_staff",
    "community.add_building": "far_staff",
    "community.assign_volunteer_grid": "far_staff",
    "community.audit_log": "far_staff",
    "accounts.create_account/volunteer": "far_staff",
    "accounts.pending_residents": "far_staff",
    "accounts.find_household": "far_staff",
    "accounts.link_household": "far_staff",
    "community.community_counts": "far_staff",
}


CSV = "小区,楼栋,单元,门牌号,姓名,性别\n望江花园,3,2,501,罗辉,男\n".encode()


def _table() -> roster.Table:
    return roster.read_table("roster.csv", CSV)


MAPPING = roster.guess_mapping(_table().headers)


def _sign_up(world) -> dict:
    return {
        "name": "新志愿者",
        "mobile": _fresh_mobile(),
        "password": "Abc12345",
        "community_id": world.community.id,
        "compound_id": world.household.compound_id,
        "duties": ["screener"],
        "healthy": True,
        "consent": True,
    }


# ---- volunteer rosters: the rows an operation acts on, made fresh for each call


def _roster_post(db, world) -> Post:
    post = Post(
        community_id=world.community.id,
        name=f"岗点{_fresh_mobile()}",
        kind=PostKind.GATE,
        opens=time(0, 0),
        closes=time(23, 59),
    )
    db.add(post)
    db.commit()
    return post


def _roster_shift(db, world, starts_in=timedelta(days=1), signed=False, checked_in=False) -> Shift:
    starts = utcnow() + starts_in
    shift = Shift(
        post_id=_roster_post(db, world).id,
        community_id=world.community.id,
        starts_at=starts,
        ends_at=starts + timedelta(hours=3),
        capacity=3,
        taken=1 if signed else 0,
    )
    db.add(shift)
    db.flush()
    if signed:
        db.add(
            ShiftSignup(
                shift_id=shift.id,
                user_id=world.volunteer.id,
                checked_in_at=utcnow() if checked_in else None,
            )
        )
    db.commit()
    return shift


def _new_volunteer(db, world) -> int:
    return add_user(db, _fresh_mobile(), Role.VOLUNTEER, world.community).id


def _team(db, world) -> Team:
    team = Team(community_id=world.community.id, name=f"小队{_fresh_mobile()}")
    db.add(team)
    db.commit()
    return team


def _team_with_member(db, world) -> tuple[int, int]:
    team, user_id = _team(db, world), _new_volunteer(db, world)
    db.add(TeamMember(team_id=team.id, user_id=user_id))
    db.commit()
    return team.id, user_id


def _member(db, world) -> int:
    """A resident of the world's household (the volunteer's grid, the resident's home)."""
    return db.exec(select(Resident.id).where(Resident.household_id == world.household.id)).first()


def _allowed(call, db, actor, world) -> bool:
    try:
        call(db, actor, world)
    except Forbidden:
        db.rollback()
        return False
    return True


@pytest.mark.parametrize("operation", sorted(MATRIX))
def test_matrix(db, world, operation):
    call, expected = MATRIX[operation]
    got = {}
    for role in ROLES:
        got[role] = _allowed(call, db, world.by_role(role), world)
        db.rollback()
    assert got == expected


@pytest.mark.parametrize("operation", sorted(OUT_OF_SCOPE))
def test_users_of_other_communities_are_refused(db, world, operation):
    call, _ = MATRIX[operation]
    assert not _allowed(call, db, getattr(world, OUT_OF_SCOPE[operation]), world)


def test_street_staff_reach_only_their_own_street(db, world):
    assert not _allowed(
        lambda d, a, w: community.community_counts(d, a, w.far.id), db, world.street_staff, world
    )
    names = [c.name for c in community.street_overview(db, world.street_staff)]
    assert names == ["锦官驿社区", "清泉社区"]


def test_every_service_operation_is_in_the_matrix():
    covered = {name.split("/")[0] for name in MATRIX}
    missing = []
    for short, module in SERVICE_MODULES.items():
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            takes_actor = "actor" in inspect.signature(fn).parameters
            is_operation = fn.__module__ == module.__name__ and not name.startswith(
                ("_", "require")
            )
            if takes_actor and is_operation and f"{short}.{name}" not in covered:
                missing.append(f"{short}.{name}")
    assert missing == []
