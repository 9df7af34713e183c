"""What the testing modules share: who may do what, finding a round and its scope, and
putting one person into a tube."""

from sqlalchemy import case, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.accounts.models import Role, User
from app.accounts.service import require_community, require_role
from app.community.models import Building, Household, Resident
from app.db import saved_id
from app.errors import MAX_ID, Forbidden, ServiceError
from app.testing.models import RoundCompound, Sample, TestingRound, Tube
from app.timeutil import utcnow

# Staff plan, end and import; the office above reads.
PLAN_ROLES = (Role.STAFF,)
READ_ROLES = (Role.STAFF, Role.STREET_STAFF, Role.ADMIN)
# At the sites and the doors: the community's volunteers and staff.
FIELD_ROLES = (Role.VOLUNTEER, Role.STAFF)
# Special-care flags that keep someone from queueing at a site: sampled at home.
IMMOBILE_FLAGS = ("elderly_alone", "disabled")


def _get(session: Session, model, row_id: int):
    found = session.get(model, row_id) if 0 < row_id <= MAX_ID else None
    if found is None:
        raise ServiceError("errors.not_found")
    return found


def _round(session: Session, actor: User, round_id: int, *, open_: bool) -> TestingRound:
    """A round of a community the actor works in (refused otherwise); with open_, one not
    ended yet."""
    found: TestingRound = _get(session, TestingRound, round_id)
    require_community(session, actor, found.community_id)
    if open_ and found.ended_at is not None:
        raise ServiceError("errors.testing_round_ended")
    return found


def _in_round(session: Session, testing_round: TestingRound, compound_id: int) -> bool:
    return session.get(RoundCompound, (testing_round.id, compound_id)) is not None


def _scope_compounds(round_id: int):
    """The compound ids of a round, as a subquery."""
    return select(RoundCompound.compound_id).where(RoundCompound.round_id == round_id)


def _grid_buildings(actor: User):
    """A volunteer's buildings (those of their grid), as a subquery."""
    return select(Building.id).where(Building.grid_id == (actor.grid_id or -1))


def _require_building(session: Session, actor: User, building: Building) -> None:
    """Volunteers work their grid's buildings only (staff: the round's community, checked
    with the round)."""
    if actor.role == Role.VOLUNTEER and building.grid_id != actor.grid_id:
        raise Forbidden()


def _field_actor(actor: User | None) -> User:
    return require_role(actor, *FIELD_ROLES)


def mask_name(name: str) -> str:
    """罗小雨 → 罗*雨, 罗辉 → 罗*: enough to tell a family apart at a site, no more."""
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def _add_sample(
    session: Session,
    actor: User,
    testing_round: TestingRound,
    tube: Tube,
    resident: Resident,
    *,
    by_code: bool,
) -> None:
    """Put one person into a tube (not committed): someone of the round's scope, once a round,
    into an open tube with room. The tube closes as it fills."""
    if resident.community_id != testing_round.community_id:
        raise ServiceError("errors.code_other_community")
    household = _get(session, Household, resident.household_id)
    if resident.moved_out is not None or not _in_round(
        session, testing_round, household.compound_id
    ):
        raise ServiceError("errors.not_in_round")
    before = session.exec(
        select(Tube.barcode)
        .join(Sample, col(Sample.tube_id) == Tube.id)
        .where(Sample.round_id == testing_round.id, Sample.resident_id == resident.id)
    ).first()
    if before is not None:
        raise ServiceError("errors.already_sampled", tube=before)
    # One conditional UPDATE: two samplers can never fill a tube past its size.
    filled = session.exec(
        update(Tube)
        .where(
            col(Tube.id) == tube.id,
            col(Tube.closed_at).is_(None),
            col(Tube.filled) < col(Tube.size),
        )
        .values(
            filled=col(Tube.filled) + 1,
            closed_at=case((col(Tube.filled) + 1 >= col(Tube.size), utcnow()), else_=None),
        )
    )
    if filled.rowcount != 1:
        raise ServiceError("errors.tube_closed")
    session.add(
        Sample(
            round_id=saved_id(testing_round),
            tube_id=saved_id(tube),
            resident_id=saved_id(resident),
            household_id=saved_id(household),
            building_id=household.building_id,
            by_code=by_code,
            sampled_by=saved_id(actor),
        )
    )
    try:
        session.flush()
    except IntegrityError:  # the same person at two sites in the same instant
        session.rollback()
        raise ServiceError("errors.already_sampled", tube="") from None
