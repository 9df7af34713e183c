"""A realistic demo community: one street (东湖街道), two communities, eight compounds, about
3,000 households and 8,000 residents, grids with their workers, and a login for every role.

The data is the same on every run (a fixed random seed and a fixed reference date), so
end-to-end tests and screenshots can rely on it. `scale` shrinks the number of buildings for
quick tests."""

import random
from datetime import timedelta

from sqlalchemy import insert
from sqlmodel import Session, col, select

from app.accounts.models import Role, User
from app.accounts.service import hash_password
from app.community.models import Grid, Household, Resident, Street
from app.demo._plan import (
    _ADMIN,
    _COMMUNITIES,
    _STREET_STAFF,
    DEMO_DISTRICT,
    DEMO_PASSWORD,
    DEMO_STREET,
    REFERENCE_DATE,
    SEED,
    DemoLogin,
    _demo_mobiles,
)
from app.demo.people import FamilyNamer, _care_flags, _compose, _id_number, _name_family
from app.demo.places import _add_places, _chunks, _existing_logins, _Loaded, _resident_users, _user
from app.demo.screening import QUARANTINED_RESIDENT, _screening_round
from app.demo.supplies import _load_supplies
from app.demo.testing import _load_testing
from app.demo.volunteers import _add_rosters

__all__ = [
    "DEMO_DISTRICT",
    "DEMO_PASSWORD",
    "DEMO_STREET",
    "QUARANTINED_RESIDENT",
    "REFERENCE_DATE",
    "SEED",
    "DemoLogin",
    "FamilyNamer",  # benchmarks/registry.py names its families the demo's way
    "load_demo",
]


def load_demo(session: Session, scale: float = 1.0) -> list[DemoLogin]:
    """Load the demo street with its communities, places, people and logins, and commit.

    Idempotent: if the demo street already exists, create nothing and return the same logins.
    `scale` multiplies the number of buildings (at least one per compound)."""
    if session.exec(select(Street).where(Street.name == DEMO_STREET)).first() is not None:
        return _existing_logins(session)
    demo_mobiles = _demo_mobiles()
    taken = session.exec(select(User.mobile).where(col(User.mobile).in_(demo_mobiles))).all()
    if taken:
        raise ValueError(f"demo login numbers already in use: {', '.join(sorted(taken))}")

    rng = random.Random(SEED)
    used = set(demo_mobiles)
    used.update(m for m in session.exec(select(Resident.mobile).distinct()).all() if m)
    namer = FamilyNamer(rng, used)

    street = Street(name=DEMO_STREET, district=DEMO_DISTRICT)
    session.add(street)
    session.flush()
    loaded = _Loaded(street, [], [], [], [], [])
    for ci, plan in enumerate(_COMMUNITIES):
        community, rows = _add_places(session, street, plan, scale, namer)
        loaded.communities.append(community)
        loaded.households += rows
        loaded.household_community += [ci] * len(rows)

    add_households = insert(Household).returning(col(Household.id), sort_by_parameter_order=True)
    for chunk in _chunks(loaded.households):
        loaded.household_ids += session.exec(add_households, params=chunk).scalars().all()

    for _ in loaded.households:
        people = _compose(rng)
        _name_family(people, namer)
        loaded.families.append(people)
    linked, pending = _resident_users(loaded, rng)

    extra = random.Random(SEED + 1)  # the person-file details, kept apart from the layout
    ids_used: set[str] = set()
    resident_rows = []
    for household_id, row, people in zip(
        loaded.household_ids, loaded.households, loaded.families, strict=True
    ):
        tenant = extra.random() < 0.12
        moved_in = REFERENCE_DATE - timedelta(days=extra.randint(60, 3000)) if tenant else None
        for person in people:
            resident_rows.append(
                {
                    "household_id": household_id,
                    "community_id": row["community_id"],
                    "name": person.name,
                    "sex": person.sex.value,
                    "birth_date": person.birth_date,
                    "mobile": person.mobile,
                    "mobile_tail": person.mobile[-4:],
                    "id_number": _id_number(extra, person, ids_used)
                    if extra.random() > 0.03
                    else "",
                    "relation": person.relation,
                    "residency": "tenant" if tenant else "permanent",
                    "moved_in": moved_in,
                    **_care_flags(extra, person, alone=len(people) == 1),
                }
            )
    for chunk in _chunks(resident_rows):
        session.exec(insert(Resident), params=chunk)

    users = [
        _user(DemoLogin(Role.ADMIN, *_ADMIN, "")),
        _user(DemoLogin(Role.STREET_STAFF, *_STREET_STAFF, DEMO_STREET), street_id=street.id),
    ]
    for role, attr in ((Role.STAFF, "staff"), (Role.VOLUNTEER, "volunteers")):
        for community, plan in zip(loaded.communities, _COMMUNITIES, strict=True):
            # Volunteers work in the community's grids in turn, so each sees its households.
            grid_ids = session.exec(
                select(Grid.id).where(Grid.community_id == community.id).order_by(col(Grid.id))
            ).all()
            for i, (name, mobile) in enumerate(getattr(plan, attr)):
                login = DemoLogin(role, name, mobile, plan.name)
                grid = {"grid_id": grid_ids[i % len(grid_ids)]} if role == Role.VOLUNTEER else {}
                users.append(_user(login, street_id=street.id, community_id=community.id, **grid))
    users += linked + pending

    password_hash = hash_password(DEMO_PASSWORD)  # once: argon2 is slow on purpose
    for user in users:
        user.password_hash = password_hash
    session.add_all(users)
    session.flush()
    for community, plan in zip(loaded.communities, _COMMUNITIES, strict=True):
        _add_rosters(
            session, community, [u for u in users if u.mobile in dict(plan.volunteers).values()]
        )
    session.commit()
    _screening_round(session, loaded.communities[0], random.Random(SEED + 2))
    _load_supplies(session, loaded.communities[0])
    _load_testing(session, loaded.communities[1])
    return _existing_logins(session)
