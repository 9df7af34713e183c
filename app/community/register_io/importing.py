"""Writing a checked file: only a file without a single problem, in one transaction."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import insert, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.accounts.models import User
from app.community.models import Household, Resident
from app.community.service import audit, require_staff
from app.errors import ServiceError
from app.timeutil import utcnow

from ._common import Progress, chunks
from .checking import ImportPlan, plan_import
from .reading import Table


@dataclass(frozen=True)
class ImportResult:
    rows: int
    households_created: int
    residents_created: int
    residents_updated: int
    residents_unchanged: int


class ImportHasErrors(ServiceError):
    """The file has errors; nothing was written. `plan.errors` lists them row by row."""

    def __init__(self, plan: ImportPlan):
        super().__init__("errors.import_has_errors", count=len(plan.errors))
        self.plan = plan


def import_roster(
    session: Session,
    actor: User | None,
    community_id: int,
    table: Table,
    mapping: dict[str, int | None],
    progress: Progress | None = None,
) -> ImportResult:
    """Check the file again and, only if no row has an error, write it all in one
    transaction: new doors, new people, changed people, and one audit entry."""
    actor = require_staff(session, actor, community_id)
    plan = plan_import(session, actor, community_id, table, mapping, progress)
    if plan.errors:
        raise ImportHasErrors(plan)
    now = utcnow()
    try:
        household_ids: dict[tuple[int, str], int] = {}
        keys = list(plan.new_households)
        add_households = insert(Household).returning(
            col(Household.id), sort_by_parameter_order=True
        )
        for chunk in chunks(keys):
            params = [
                plan.new_households[k].model_dump(exclude={"id"}) | {"updated_at": now}
                for k in chunk
            ]
            ids = session.exec(add_households, params=params).scalars().all()
            household_ids.update(zip(chunk, ids, strict=True))

        resident_rows = []
        for household, values in plan.new_residents:
            hid = household_ids[household] if isinstance(household, tuple) else household
            resident_rows.append(
                {
                    **values,
                    "household_id": hid,
                    "community_id": community_id,
                    "mobile_tail": values["mobile"][-4:],
                    "created_at": now,
                    "updated_at": now,
                }
            )
        for chunk in chunks(resident_rows):
            session.exec(insert(Resident), params=list(chunk))
        for chunk in chunks(plan.updates):
            session.exec(update(Resident), params=[u | {"updated_at": now} for u in chunk])

        touched = {r["household_id"] for r in resident_rows}
        if plan.updates:
            updated_ids = [u["id"] for u in plan.updates]
            for chunk in chunks(updated_ids):
                touched.update(
                    session.exec(
                        select(Resident.household_id).where(col(Resident.id).in_(chunk))
                    ).all()
                )
        for chunk in chunks(sorted(touched)):
            session.exec(
                update(Household).where(col(Household.id).in_(chunk)).values(updated_at=now)
            )

        result = ImportResult(
            rows=plan.rows,
            households_created=plan.households_to_create,
            residents_created=plan.residents_to_create,
            residents_updated=plan.residents_to_update,
            residents_unchanged=plan.residents_unchanged,
        )
        audit(
            session,
            actor,
            community_id,
            "roster.import",
            f"community:{community_id}",
            f"rows={result.rows} households_created={result.households_created} "
            f"residents_created={result.residents_created} "
            f"residents_updated={result.residents_updated} "
            f"residents_unchanged={result.residents_unchanged}",
        )
        session.commit()
    except IntegrityError:
        session.rollback()  # someone changed the register meanwhile: nothing was written
        raise ServiceError("errors.import_conflict") from None
    except BaseException:
        session.rollback()
        raise
    if plan.updates:  # objects the caller holds must not show the old values
        changed = {u["id"] for u in plan.updates}
        for obj in list(session.identity_map.values()):
            if isinstance(obj, Resident) and obj.id in changed:
                session.expire(obj)
    return result
