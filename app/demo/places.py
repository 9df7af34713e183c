"""The demo's places and logins: communities with compounds, grids, buildings, units and
households, and the residents' accounts linked to them."""

import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from app.accounts.models import Role, User
from app.community.models import Building, Community, Compound, Grid, Sex, Street, Unit
from app.community.service import new_household
from app.db import saved_id
from app.demo._plan import (
    _CHUNK,
    _COMMUNITIES,
    _DOORS_PER_FLOOR,
    _GRID_NAMES,
    _KINDS,
    DemoLogin,
    _CommunityPlan,
    _demo_mobiles,
)
from app.demo.people import FamilyNamer, _Person

# ---------------------------------------------------------------- grids


def _split_grids(sizes: Sequence[int], count: int) -> list[list[int]]:
    """Split buildings (in order, so a grid is a run of neighbouring buildings) into `count`
    non-empty groups of about equal households."""
    target = sum(sizes) / count
    groups: list[list[int]] = [[]]
    done = 0
    for i, size in enumerate(sizes):
        still_to_open = count - len(groups)
        if groups[-1] and still_to_open > 0:
            past_target = done + size / 2 > target * len(groups)
            if past_target or len(sizes) - i == still_to_open:
                groups.append([])
        groups[-1].append(i)
        done += size
    return groups


# ---------------------------------------------------------------- loading


def _chunks(rows: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(rows), _CHUNK):
        yield rows[start : start + _CHUNK]


@dataclass
class _Loaded:
    """What the loader keeps in hand between steps."""

    street: Street
    communities: list[Community]
    households: list[dict[str, Any]]  # rows for Household, in insert order
    household_community: list[int]  # per row: index into _COMMUNITIES
    household_ids: list[int]
    families: list[list[_Person]]


def _user(login: DemoLogin, **ids: Any) -> User:
    return User(name=login.name, mobile=login.mobile, role=login.role, password_hash="", **ids)


def _add_places(
    session: Session,
    street: Street,
    plan: _CommunityPlan,
    scale: float,
    namer: FamilyNamer,
) -> tuple[Community, list[dict[str, Any]]]:
    """One community with its compounds, grids, buildings and units (ORM adds); returns the
    household rows still to insert."""
    rng = namer.rng
    community = Community(street_id=saved_id(street), name=plan.name)
    session.add(community)
    session.flush()
    compounds = [
        Compound(community_id=saved_id(community), name=c.name, address=c.address)
        for c in plan.compounds
    ]
    session.add_all(compounds)
    # Lay out every building first: (compound, number, floors, units).
    layout: list[tuple[Compound, str, int, int]] = []
    for compound, cplan in zip(compounds, plan.compounds, strict=True):
        (units_low, units_high), (floors_low, floors_high) = _KINDS[cplan.kind]
        for number in range(1, max(1, round(cplan.buildings * scale)) + 1):
            floors = rng.randint(floors_low, floors_high)
            layout.append((compound, str(number), floors, rng.randint(units_low, units_high)))

    grid_count = min(rng.randint(4, 6), len(layout))
    grids = []
    for name in _GRID_NAMES[:grid_count]:
        worker = namer.surname() + namer.given(rng.choice(list(Sex)), rng.randint(1972, 1996))
        grids.append(
            Grid(
                community_id=saved_id(community),
                name=name,
                worker_name=worker,
                worker_mobile=namer.mobile(),
            )
        )
    session.add_all(grids)
    session.flush()  # compounds and grids get their ids
    sizes = [floors * units * _DOORS_PER_FLOOR for _, _, floors, units in layout]
    grid_of: dict[int, int | None] = {}
    for grid, members in zip(grids, _split_grids(sizes, grid_count), strict=True):
        grid_of.update(dict.fromkeys(members, grid.id))
    buildings = [
        Building(compound_id=saved_id(compound), grid_id=grid_of[i], number=number)
        for i, (compound, number, _, _) in enumerate(layout)
    ]
    session.add_all(buildings)
    session.flush()
    units_of = [
        [Unit(building_id=saved_id(building), number=str(n)) for n in range(1, unit_count + 1)]
        for building, (_, _, _, unit_count) in zip(buildings, layout, strict=True)
    ]
    session.add_all([unit for units in units_of for unit in units])
    session.flush()

    rows = []
    for building, units, (compound, _, floors, _) in zip(buildings, units_of, layout, strict=True):
        for unit in units:
            for floor in range(1, floors + 1):
                for door_index in range(1, _DOORS_PER_FLOOR + 1):
                    door = f"{floor}{door_index:02d}"
                    rows.append(
                        new_household(compound, building, unit, door).model_dump(exclude={"id"})
                    )
    return community, rows


def _resident_users(loaded: _Loaded, rng: random.Random) -> tuple[list[User], list[User]]:
    """Three linked residents per community (heads of household of working age with a phone,
    in different compounds) and one pending resident: a grown-up family member who signed up
    with their home address but whom staff have not linked yet. Their register entries get the
    login number, so staff can match them."""
    linked: list[User] = []
    pending: list[User] = []
    rows, families = loaded.households, loaded.families
    for ci, (community, plan) in enumerate(zip(loaded.communities, _COMMUNITIES, strict=True)):
        mine = [i for i, c in enumerate(loaded.household_community) if c == ci]
        rng.shuffle(mine)
        chosen: list[int] = []
        # Prefer one per compound; at a tiny scale, settle for any.
        for spread in (True, False):
            for i in mine:
                head = families[i][0]
                compounds = {rows[j]["compound_id"] for j in chosen} if spread else set()
                if len(chosen) == len(plan.resident_mobiles):
                    break
                if (
                    i not in chosen
                    and 30 <= head.age <= 65
                    and head.mobile
                    and rows[i]["compound_id"] not in compounds
                ):
                    chosen.append(i)
        ids = {"street_id": loaded.street.id, "community_id": community.id}
        for i, mobile in zip(chosen, plan.resident_mobiles, strict=True):
            head = families[i][0]
            head.mobile = mobile
            login = DemoLogin(Role.RESIDENT, head.name, mobile, plan.name)
            linked.append(_user(login, household_id=loaded.household_ids[i], **ids))
        i, person = next(
            (i, p)
            for i in mine
            if i not in chosen
            for p in families[i][1:]
            if p.relation in ("配偶", "子女") and 20 <= p.age <= 60 and p.mobile
        )
        person.mobile = plan.pending_mobile
        login = DemoLogin(Role.RESIDENT, person.name, plan.pending_mobile, plan.name)
        pending.append(_user(login, claimed_address=rows[i]["address"], **ids))
    return linked, pending


def _existing_logins(session: Session) -> list[DemoLogin]:
    mobiles = _demo_mobiles()
    users = {u.mobile: u for u in session.exec(select(User).where(col(User.mobile).in_(mobiles)))}
    communities = dict(session.exec(select(Community.id, Community.name)).all())
    streets = dict(session.exec(select(Street.id, Street.name)).all())
    logins = []
    for mobile in mobiles:
        user = users.get(mobile)
        if user is None:
            continue
        if user.community_id is not None:
            where = communities.get(user.community_id, "")
        elif user.street_id is not None:
            where = streets.get(user.street_id, "")
        else:
            where = ""
        logins.append(DemoLogin(Role(user.role), user.name, user.mobile, where))
    return logins
