"""Teams with a leader, the community's volunteers, and building watchers (楼幢观察员)."""

from collections import defaultdict
from collections.abc import Sequence

from pydantic import BaseModel, field_validator
from sqlalchemy import delete, func
from sqlalchemy import select as sa_select
from sqlalchemy.engine import Row
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.accounts.models import Role, User
from app.accounts.service import require_role
from app.community.models import Building, Compound, Grid
from app.community.service import check_grid, mask_mobile
from app.db import saved_id
from app.errors import InvalidInput, ServiceError, parse
from app.fields import text
from app.volunteers.models import Team, TeamBuilding, TeamMember, Watcher
from app.volunteers.shifts._common import (
    STAFF_ROLES,
    TEAM_SIZE,
    _hours,
    _staff,
    _volunteer_of,
)
from app.volunteers.shifts.views import TeamView, VolunteerView, WatcherView


class NewTeam(BaseModel):
    name: str
    grid_id: int | None = None
    building_ids: list[int] = []

    _name = field_validator("name")(text(30, required=True))


def create_team(session: Session, actor: User | None, community_id: int, data: dict) -> Team:
    """A team, working a grid of the community and/or some of its buildings."""
    _staff(session, actor, community_id)
    form = parse(NewTeam, data)
    check_grid(session, form.grid_id, community_id)
    if form.building_ids:
        found = session.exec(
            select(func.count())
            .select_from(Building)
            .join(Compound, col(Compound.id) == Building.compound_id)
            .where(col(Building.id).in_(form.building_ids), Compound.community_id == community_id)
        ).one()
        if found != len(set(form.building_ids)):
            raise InvalidInput({"building_ids": "errors.building_other_community"})
    exists = session.exec(
        select(Team.id).where(Team.community_id == community_id, Team.name == form.name)
    ).first()
    if exists is not None:
        raise InvalidInput({"name": "errors.name_taken"})
    team = Team(community_id=community_id, name=form.name, grid_id=form.grid_id)
    session.add(team)
    session.flush()
    session.add_all(
        TeamBuilding(team_id=saved_id(team), building_id=b) for b in set(form.building_ids)
    )
    session.commit()
    return team


def _team(session: Session, actor: User | None, team_id: int) -> Team:
    team = session.get(Team, team_id)
    if team is None:
        require_role(actor, *STAFF_ROLES)
        raise ServiceError("errors.not_found")
    _staff(session, actor, team.community_id)
    return team


def add_member(session: Session, actor: User | None, team_id: int, user_id: int) -> None:
    team = _team(session, actor, team_id)
    _volunteer_of(session, team.community_id, user_id)
    current = session.exec(select(TeamMember).where(TeamMember.user_id == user_id)).first()
    if current is not None:
        other = session.get_one(Team, current.team_id)
        if other.id == team.id:
            raise InvalidInput({"user_id": "errors.already_in_team"})
        raise ServiceError("errors.in_other_team", field="user_id", team=other.name)
    size = session.exec(
        select(func.count()).select_from(TeamMember).where(TeamMember.team_id == team.id)
    ).one()
    if size >= TEAM_SIZE:
        raise ServiceError("errors.team_full", field="user_id", size=TEAM_SIZE)
    session.add(TeamMember(team_id=saved_id(team), user_id=user_id))
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise InvalidInput({"user_id": "errors.already_in_team"}) from None


def remove_member(session: Session, actor: User | None, team_id: int, user_id: int) -> None:
    team = _team(session, actor, team_id)
    gone = session.exec(
        delete(TeamMember).where(
            col(TeamMember.team_id) == team.id, col(TeamMember.user_id) == user_id
        )
    ).rowcount
    if gone != 1:
        session.rollback()
        raise ServiceError("errors.not_found")
    if team.leader_id == user_id:
        team.leader_id = None
        session.add(team)
    session.commit()


def set_leader(session: Session, actor: User | None, team_id: int, user_id: int) -> None:
    """The leader is one of the team's members."""
    team = _team(session, actor, team_id)
    member = session.exec(
        select(TeamMember.id).where(TeamMember.team_id == team.id, TeamMember.user_id == user_id)
    ).first()
    if member is None:
        raise InvalidInput({"user_id": "errors.leader_not_member"})
    team.leader_id = user_id
    session.add(team)
    session.commit()


def teams(session: Session, actor: User | None, community_id: int) -> list[TeamView]:
    _staff(session, actor, community_id)
    rows = session.exec(
        select(Team).where(Team.community_id == community_id).order_by(col(Team.id))
    ).all()
    ids = [t.id for t in rows]
    members: dict[int, list[tuple[int, str]]] = defaultdict(list)
    buildings: dict[int, list[str]] = defaultdict(list)
    if ids:
        for team_id, uid, name in session.exec(
            select(TeamMember.team_id, User.id, User.name)
            .join(User, col(User.id) == TeamMember.user_id)
            .where(col(TeamMember.team_id).in_(ids))
            .order_by(col(TeamMember.id))
        ).all():
            members[team_id].append((saved_id(uid), name))
        for team_id, compound, number in session.exec(
            select(TeamBuilding.team_id, Compound.name, Building.number)
            .join(Building, col(Building.id) == TeamBuilding.building_id)
            .join(Compound, col(Compound.id) == Building.compound_id)
            .where(col(TeamBuilding.team_id).in_(ids))
            .order_by(col(Compound.id), col(Building.id))
        ).all():
            buildings[team_id].append(f"{compound} {number}")
    grids = dict(
        session.exec(select(Grid.id, Grid.name).where(Grid.community_id == community_id)).all()
    )
    return [
        TeamView(
            id=saved_id(t),
            name=t.name,
            leader_id=t.leader_id,
            leader=next((n for uid, n in members[saved_id(t)] if uid == t.leader_id), ""),
            grid=grids.get(t.grid_id, "") if t.grid_id else "",
            buildings=buildings[saved_id(t)],
            members=members[saved_id(t)],
        )
        for t in rows
    ]


# ---------------------------------------------------------------- volunteers and watchers


def community_volunteers(
    session: Session, actor: User | None, community_id: int
) -> list[VolunteerView]:
    """The community's volunteers (suspended ones too), with team, grid and hours."""
    _staff(session, actor, community_id)
    users = session.exec(
        select(User)
        .where(User.community_id == community_id, User.role == Role.VOLUNTEER)
        .order_by(col(User.id))
    ).all()
    team_of = dict(
        session.exec(
            select(TeamMember.user_id, Team.name)
            .join(Team, col(Team.id) == TeamMember.team_id)
            .where(Team.community_id == community_id)
        ).all()
    )
    grids = dict(
        session.exec(select(Grid.id, Grid.name).where(Grid.community_id == community_id)).all()
    )
    hours = _hours(session, [saved_id(u) for u in users])
    return [
        VolunteerView(
            id=saved_id(u),
            name=u.name,
            mobile=mask_mobile(u.mobile),
            team=team_of.get(saved_id(u), ""),
            grid=grids.get(u.grid_id, "") if u.grid_id else "",
            suspended=not u.is_active,
            hours=hours.get(saved_id(u), 0.0),
        )
        for u in users
    ]


def watchers(session: Session, actor: User | None, community_id: int) -> list[WatcherView]:
    """Every building of the community with its watcher (楼幢观察员), if it has one."""
    _staff(session, actor, community_id)
    # Five columns: more than sqlmodel's typed select() takes, so SQLAlchemy's own.
    rows: Sequence[Row[int, str, str, int | None, str | None]] = session.execute(
        sa_select(
            col(Building.id),
            col(Compound.name),
            col(Building.number),
            col(Watcher.user_id),
            col(User.name),
        )
        .join(Compound, col(Compound.id) == Building.compound_id)
        .outerjoin(Watcher, col(Watcher.building_id) == Building.id)
        .outerjoin(User, col(User.id) == Watcher.user_id)
        .where(col(Compound.community_id) == community_id)
        .order_by(col(Compound.id), col(Building.id))
    ).all()
    return [
        WatcherView(bid, f"{compound} {number}", uid, name or "")
        for bid, compound, number, uid, name in rows
    ]


def set_watcher(
    session: Session, actor: User | None, building_id: int, user_id: int | None
) -> None:
    """Choose the building's watcher from the community's volunteers (None: nobody). One per
    building: the unique key on the building keeps it so under concurrent choices too."""
    building = session.get(Building, building_id)
    if building is None:
        require_role(actor, *STAFF_ROLES)
        raise ServiceError("errors.not_found")
    community_id = session.get_one(Compound, building.compound_id).community_id
    _staff(session, actor, community_id)
    if user_id is not None:
        _volunteer_of(session, community_id, user_id)
    session.exec(delete(Watcher).where(col(Watcher.building_id) == building_id))
    if user_id is not None:
        session.add(Watcher(building_id=building_id, user_id=user_id, community_id=community_id))
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise ServiceError("errors.watcher_taken", field="user_id") from None
