"""At a sampling site: scan a tube's barcode, then up to its size of personal codes (or find a
door and tick the person who has no code), undo the last scan, close a tube early."""

import re
from dataclasses import dataclass

from pydantic import BaseModel, field_validator
from pydantic_core import PydanticCustomError
from sqlalchemy import delete, update
from sqlalchemy import select as select_columns
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.accounts.models import User
from app.community.models import Household, Resident
from app.community.service import natural_key, resolve_code
from app.db import saved_id
from app.errors import InvalidInput, RowId, ServiceError, parse
from app.testing.models import TUBE_SIZES, Sample, SamplingSite, TestingRound, Tube
from app.timeutil import utcnow

from ._common import _add_sample, _field_actor, _get, _round, _scope_compounds, mask_name

# What tube barcodes look like: letters, digits and dashes.
_BARCODE = re.compile(r"[A-Z0-9-]{4,30}")


def _barcode(value: str) -> str:
    value = value.strip().upper()
    if not _BARCODE.fullmatch(value):
        raise PydanticCustomError("barcode_invalid", "bad barcode")
    return value


class TubeInput(BaseModel):
    site_id: RowId
    barcode: str

    _code = field_validator("barcode")(_barcode)


@dataclass(frozen=True)
class TubeView:
    id: int
    barcode: str
    size: int
    filled: int
    closed: bool
    people: list[str]  # masked names, in the order scanned


@dataclass(frozen=True)
class DoorPerson:
    resident_id: int
    name: str  # masked
    relation: str
    sampled: bool


@dataclass(frozen=True)
class DoorHousehold:
    household_id: int
    address: str
    people: list[DoorPerson]


def tube_view(session: Session, tube_id: int) -> TubeView:
    barcode, size, filled, closed_at = session.exec(
        select(Tube.barcode, Tube.size, Tube.filled, Tube.closed_at).where(Tube.id == tube_id)
    ).one()
    names = session.exec(
        select(Resident.name)
        .join(Sample, col(Sample.resident_id) == Resident.id)
        .where(Sample.tube_id == tube_id)
        .order_by(col(Sample.id))
    ).all()
    return TubeView(
        tube_id, barcode, size, filled, closed_at is not None, [mask_name(n) for n in names]
    )


def _new_tube(
    session: Session, actor: User, testing_round: TestingRound, site_id: int | None, barcode: str
) -> Tube:
    """A new tube of the round's pool size; a barcode already used this round is refused."""
    if session.exec(
        select(Tube.id).where(Tube.round_id == testing_round.id, Tube.barcode == barcode)
    ).first():
        raise ServiceError("errors.tube_scanned_twice", tube=barcode)
    tube = Tube(
        round_id=saved_id(testing_round),
        site_id=site_id,
        barcode=barcode,
        size=TUBE_SIZES[testing_round.mode],
        opened_by=saved_id(actor),
    )
    session.add(tube)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        raise ServiceError("errors.tube_scanned_twice", tube=barcode) from None
    return tube


def open_tube(session: Session, actor: User | None, data: dict) -> TubeView:
    """The sampler scans a new tube's barcode at their site."""
    actor = _field_actor(actor)
    values = parse(TubeInput, data)
    site: SamplingSite = _get(session, SamplingSite, values.site_id)
    testing_round = _round(session, actor, site.round_id, open_=True)
    tube = _new_tube(session, actor, testing_round, site.id, values.barcode)
    session.commit()
    return tube_view(session, saved_id(tube))


def _open_tube(session: Session, actor: User, tube_id: int) -> tuple[TestingRound, Tube]:
    tube: Tube = _get(session, Tube, tube_id)
    testing_round = _round(session, actor, tube.round_id, open_=True)
    return testing_round, tube


def scan_code(session: Session, actor: User | None, tube_id: int, code: str) -> TubeView:
    """A person's personal code into the tube: refused when the code is not ours, forged, of
    another community, or the person was sampled already this round."""
    actor = _field_actor(actor)
    testing_round, tube = _open_tube(session, actor, tube_id)
    resident = resolve_code(session, code)
    _add_sample(session, actor, testing_round, tube, resident, by_code=True)
    session.commit()
    return tube_view(session, tube_id)


def scan_member(session: Session, actor: User | None, tube_id: int, resident_id: int) -> TubeView:
    """Someone without a code, found at their door (`find_door`) and ticked."""
    actor = _field_actor(actor)
    testing_round, tube = _open_tube(session, actor, tube_id)
    resident: Resident = _get(session, Resident, resident_id)
    _add_sample(session, actor, testing_round, tube, resident, by_code=False)
    session.commit()
    return tube_view(session, tube_id)


def tube_state(session: Session, actor: User | None, tube_id: int) -> TubeView:
    """A tube as it stands now (after scans sent from a phone that had lost its signal)."""
    actor = _field_actor(actor)
    tube: Tube = _get(session, Tube, tube_id)
    _round(session, actor, tube.round_id, open_=False)
    return tube_view(session, tube_id)


def tube_by_barcode(session: Session, actor: User | None, round_id: int, barcode: str) -> int:
    """The id of the round's tube with this barcode (one opened while the phone had no
    signal, so the phone knows only its barcode)."""
    actor = _field_actor(actor)
    _round(session, actor, round_id, open_=False)
    found = session.exec(
        select(Tube.id).where(Tube.round_id == round_id, Tube.barcode == barcode.strip().upper())
    ).first()
    if found is None:
        raise ServiceError("errors.not_found")
    return found


def undo_last_scan(session: Session, actor: User | None, tube_id: int) -> TubeView:
    """Takes the tube's last person out again (a wrong tick or scan); a tube closed by filling
    up opens again."""
    actor = _field_actor(actor)
    _, tube = _open_tube(session, actor, tube_id)
    if tube.result is not None:
        raise ServiceError("errors.tube_has_result")
    last = session.exec(
        select(Sample.id).where(Sample.tube_id == tube_id).order_by(col(Sample.id).desc())
    ).first()
    if last is None:
        raise ServiceError("errors.tube_empty")
    session.exec(delete(Sample).where(col(Sample.id) == last))  # type: ignore[call-overload]  # sqlmodel types exec() for selects only
    session.exec(
        update(Tube)
        .where(col(Tube.id) == tube_id)
        .values(filled=col(Tube.filled) - 1, closed_at=None)
    )
    session.commit()
    return tube_view(session, tube_id)


def close_tube(session: Session, actor: User | None, tube_id: int) -> TubeView:
    """Seals a tube before it is full (the queue is done)."""
    actor = _field_actor(actor)
    _, tube = _open_tube(session, actor, tube_id)
    if tube.filled == 0:
        raise ServiceError("errors.tube_empty")
    if tube.closed_at is None:
        tube.closed_at = utcnow()
        session.add(tube)
        session.commit()
    return tube_view(session, tube_id)


def find_door(
    session: Session, actor: User | None, round_id: int, door: str
) -> list[DoorHousehold]:
    """The households at "3-2-501" in the round's compounds (one per compound that has such a
    door), their people and who is sampled already."""
    actor = _field_actor(actor)
    testing_round = _round(session, actor, round_id, open_=True)
    key = door.strip().replace(" ", "").replace("－", "-").replace("—", "-")
    if not key or len(key) > 40:
        raise InvalidInput({"door": "errors.door_not_found"})
    rows = session.execute(
        select_columns(
            col(Household.id),
            col(Household.address),
            col(Resident.id),
            col(Resident.name),
            col(Resident.relation),
        )
        .join(Resident, col(Resident.household_id) == Household.id)
        .where(
            col(Household.community_id) == testing_round.community_id,
            col(Household.door_key) == key,
            col(Household.compound_id).in_(_scope_compounds(saved_id(testing_round))),
            col(Resident.moved_out).is_(None),
        )
        .order_by(col(Household.id), col(Resident.id))
    ).all()
    if not rows:
        raise InvalidInput({"door": "errors.door_not_found"})
    sampled = set(
        session.exec(
            select(Sample.resident_id).where(
                Sample.round_id == round_id, col(Sample.resident_id).in_([r[2] for r in rows])
            )
        ).all()
    )
    found: dict[int, DoorHousehold] = {}
    for household_id, address, resident_id, name, relation in rows:
        entry = found.setdefault(household_id, DoorHousehold(household_id, address, []))
        entry.people.append(
            DoorPerson(resident_id, mask_name(name), relation, resident_id in sampled)
        )
    return sorted(found.values(), key=lambda h: natural_key(h.address))
