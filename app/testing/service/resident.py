"""What a resident sees: their household's round, site and time slot, and for each of them a
personal code to show and how their test stands (已采样 / 阴性 / 待复核)."""

from dataclasses import dataclass

from sqlalchemy import and_
from sqlmodel import Session, col, select

from app.accounts.models import Role, User
from app.accounts.service import require_community, require_role
from app.community.models import Building, Household, Resident
from app.community.service import audit, personal_code
from app.db import saved_id
from app.errors import Forbidden
from app.testing.models import RoundCompound, Sample, SamplingSite, SiteSlot, TestingRound

from ._common import _get
from .sites import slot_text


@dataclass(frozen=True)
class MyPerson:
    resident_id: int
    name: str
    code: str  # the personal code, shown as a QR
    status: str  # a SampleStatus, or "" while not sampled


@dataclass(frozen=True)
class MyTesting:
    round_id: int
    round_name: str
    test_date: str
    open: bool
    site: str
    place: str
    slot: str  # 08:00–08:30, or "" while staff have not set one
    people: list[MyPerson]
    building: str = ""  # the household's building number, as the slot names it ("3")


def my_testing(session: Session, actor: User | None) -> MyTesting | None:
    """The latest round covering the resident's household; None before any."""
    actor = require_role(actor, Role.RESIDENT)
    household = session.get(Household, actor.household_id) if actor.household_id else None
    if household is None:
        return None
    testing_round = session.exec(
        select(TestingRound)
        .join(RoundCompound, col(RoundCompound.round_id) == TestingRound.id)
        .where(RoundCompound.compound_id == household.compound_id)
        .order_by(col(TestingRound.test_date).desc(), col(TestingRound.id).desc())
    ).first()
    if testing_round is None:
        return None
    round_id = saved_id(testing_round)
    slot = session.exec(
        select(SiteSlot, SamplingSite)
        .join(SamplingSite, col(SamplingSite.id) == SiteSlot.site_id)
        .where(SiteSlot.round_id == round_id, SiteSlot.building_id == household.building_id)
    ).first()
    people = session.exec(
        select(Resident.id, Resident.name, Sample.status)
        .outerjoin(
            Sample, and_(col(Sample.round_id) == round_id, col(Sample.resident_id) == Resident.id)
        )
        .where(Resident.household_id == household.id, col(Resident.moved_out).is_(None))
        .order_by(col(Resident.id))
    ).all()
    return MyTesting(
        round_id=round_id,
        round_name=testing_round.name,
        test_date=testing_round.test_date.isoformat(),
        open=testing_round.ended_at is None,
        site=slot[1].name if slot else "",
        place=slot[1].place if slot else "",
        slot=slot_text(slot[0].starts, slot[0].ends) if slot else "",
        people=[
            MyPerson(saved_id(rid), name, personal_code(saved_id(rid)), str(status or ""))
            for rid, name, status in people
        ],
        building=session.get_one(Building, household.building_id).number,
    )


@dataclass(frozen=True)
class CodeMember:
    resident_id: int
    name: str
    relation: str
    code: str  # the personal code, shown as a QR


@dataclass(frozen=True)
class HouseholdCodes:
    household_id: int
    address: str
    members: list[CodeMember]


def household_codes(session: Session, actor: User | None, household_id: int) -> HouseholdCodes:
    """Every member's personal code, with their names: for the resident's own phone, or the
    printed card staff hand to an elderly family without a smartphone (written to the
    access log)."""
    actor = require_role(actor, Role.RESIDENT, Role.STAFF)
    household: Household = _get(session, Household, household_id)
    if actor.role == Role.RESIDENT:
        if actor.household_id != household.id:
            raise Forbidden()
    else:
        require_community(session, actor, household.community_id)
        audit(session, actor, household.community_id, "testing.card", f"household:{household_id}")
        session.commit()
    people = session.exec(
        select(Resident.id, Resident.name, Resident.relation)
        .where(Resident.household_id == household.id, col(Resident.moved_out).is_(None))
        .order_by(col(Resident.id))
    ).all()
    return HouseholdCodes(
        household_id=saved_id(household),
        address=household.address,
        members=[
            CodeMember(saved_id(rid), name, relation, personal_code(saved_id(rid)))
            for rid, name, relation in people
        ],
    )
