"""上门采样: people sampled at home (special care, home quarantine). Listed when a round is
planned (or asked for later from the missed list); a volunteer takes one and closes it by
sampling the person into a tube."""

from dataclasses import dataclass

from sqlalchemy import or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.accounts.models import Role, User
from app.accounts.service import require_role
from app.community.models import Household, Resident
from app.db import saved_id
from app.errors import Forbidden, ServiceError, parse
from app.testing.models import HomeReason, HomeSamplingTask, TaskStatus, Tube
from app.timeutil import utcnow

from ._common import (
    FIELD_ROLES,
    READ_ROLES,
    _add_sample,
    _field_actor,
    _get,
    _grid_buildings,
    _round,
    mask_name,
)
from .missed import _due_person
from .sampling import TubeInput, _new_tube


@dataclass(frozen=True)
class HomeTaskView:
    id: int
    resident_id: int
    name: str  # masked
    address: str
    reason: str  # HomeReason
    status: str  # TaskStatus
    volunteer: str
    mine: bool


def home_tasks(session: Session, actor: User | None, round_id: int) -> list[HomeTaskView]:
    """A round's home sampling tasks: a volunteer's grid's and those they took; staff all."""
    actor = require_role(actor, *FIELD_ROLES, *READ_ROLES)
    _round(session, actor, round_id, open_=False)
    query = (
        select(HomeSamplingTask, Resident.name, Household.address, User.name)
        .join(Resident, col(Resident.id) == HomeSamplingTask.resident_id)
        .join(Household, col(Household.id) == HomeSamplingTask.household_id)
        .outerjoin(User, col(User.id) == HomeSamplingTask.volunteer_id)
        .where(HomeSamplingTask.round_id == round_id)
    )
    if actor.role == Role.VOLUNTEER:
        query = query.where(
            or_(
                col(HomeSamplingTask.building_id).in_(_grid_buildings(actor)),
                col(HomeSamplingTask.volunteer_id) == actor.id,
            )
        )
    rows = session.exec(query.order_by(col(HomeSamplingTask.id))).all()
    order = {TaskStatus.OPEN: 0, TaskStatus.TAKEN: 1, TaskStatus.DONE: 2}
    return [
        HomeTaskView(
            id=saved_id(task),
            resident_id=task.resident_id,
            name=mask_name(name),
            address=address,
            reason=task.reason.value,
            status=task.status.value,
            volunteer=volunteer or "",
            mine=task.volunteer_id == actor.id,
        )
        for task, name, address, volunteer in sorted(rows, key=lambda r: order[r[0].status])
    ]


def request_home_sampling(
    session: Session, actor: User | None, round_id: int, resident_id: int
) -> HomeSamplingTask:
    """From the missed list: someone found unable to come down is sampled at home."""
    actor = _field_actor(actor)
    _, resident, household = _due_person(session, actor, round_id, resident_id)
    task = HomeSamplingTask(
        round_id=round_id,
        resident_id=saved_id(resident),
        household_id=saved_id(household),
        building_id=household.building_id,
        reason=HomeReason.CARE,
    )
    session.add(task)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise ServiceError("errors.home_task_exists") from None
    return task


def _task(session: Session, actor: User, task_id: int) -> HomeSamplingTask:
    task: HomeSamplingTask = _get(session, HomeSamplingTask, task_id)
    _round(session, actor, task.round_id, open_=True)
    if actor.role == Role.VOLUNTEER and task.volunteer_id not in (None, actor.id):
        raise ServiceError("errors.task_taken")
    return task


def take_home_task(session: Session, actor: User | None, task_id: int) -> None:
    """我来: one conditional UPDATE, so two volunteers never both take it."""
    actor = _field_actor(actor)
    task = _task(session, actor, task_id)
    if (
        actor.role == Role.VOLUNTEER
        and task.building_id not in session.exec(_grid_buildings(actor)).all()
    ):
        raise Forbidden()
    taken = session.exec(
        update(HomeSamplingTask)
        .where(col(HomeSamplingTask.id) == task_id, col(HomeSamplingTask.status) == TaskStatus.OPEN)
        .values(status=TaskStatus.TAKEN, volunteer_id=actor.id, taken_at=utcnow())
    )
    if taken.rowcount != 1:
        session.rollback()
        raise ServiceError("errors.task_taken")
    session.commit()


def finish_home_task(session: Session, actor: User | None, task_id: int, barcode: str) -> None:
    """Sampled at home: the person goes into the tube with this barcode (a new tube, or the
    home tube this volunteer opened for the previous door) and the task is done."""
    actor = _field_actor(actor)
    task = _task(session, actor, task_id)
    if task.status == TaskStatus.DONE:
        raise ServiceError("errors.task_done")
    if task.status == TaskStatus.OPEN or (
        actor.role == Role.VOLUNTEER and task.volunteer_id != actor.id
    ):
        raise ServiceError("errors.take_task_first")
    code = parse(TubeInput, {"site_id": 1, "barcode": barcode}).barcode
    testing_round = _round(session, actor, task.round_id, open_=True)
    tube = session.exec(
        select(Tube).where(Tube.round_id == task.round_id, Tube.barcode == code)
    ).first()
    if tube is None:
        tube = _new_tube(session, actor, testing_round, None, code)
    elif tube.site_id is not None or tube.opened_by != actor.id:
        raise ServiceError("errors.tube_scanned_twice", tube=code)
    resident: Resident = _get(session, Resident, task.resident_id)
    _add_sample(session, actor, testing_round, tube, resident, by_code=False)
    task.status, task.done_at = TaskStatus.DONE, utcnow()
    session.add(task)
    session.commit()
