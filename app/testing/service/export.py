"""The round's list for the health centre (送检名单): one row per person sampled, with the
tube, when, and the lab's result, as an .xlsx. Full ID numbers and mobiles: audited."""

import io

from openpyxl import Workbook
from sqlalchemy import select as select_columns
from sqlmodel import Session, col

from app.accounts.models import User
from app.accounts.service import require_role
from app.community.models import Compound, Household, Resident
from app.community.service import audit, natural_key
from app.spreadsheets import row
from app.testing.models import PoolMode, Sample, Tube, TubeResult
from app.timeutil import to_local

from ._common import READ_ROLES, _round

# The health centre's columns (a Chinese form: the file is read there, not in the app).
EXPORT_HEADERS = (
    "序号",
    "小区",
    "住址",
    "姓名",
    "证件号码",
    "联系电话",
    "试管编号",
    "采样时间",
    "检测结果",
)
_MODES = {PoolMode.SINGLE: "单管单检", PoolMode.POOL5: "5混1", PoolMode.POOL10: "10混1"}
_RESULTS = {TubeResult.NEGATIVE: "阴性", TubeResult.POSITIVE: "阳性"}
_PENDING = "待出结果"


def round_export(session: Session, actor: User | None, round_id: int) -> bytes:
    """Everyone sampled in the round, compound by compound and door by door."""
    actor = require_role(actor, *READ_ROLES)
    testing_round = _round(session, actor, round_id, open_=False)
    rows = session.execute(
        select_columns(
            col(Compound.name),
            col(Household.door_key),
            col(Household.address),
            col(Resident.name),
            col(Resident.id_number),
            col(Resident.mobile),
            col(Tube.barcode),
            col(Sample.sampled_at),
            col(Tube.result),
            col(Sample.id),
        )
        .join(Tube, col(Tube.id) == Sample.tube_id)
        .join(Resident, col(Resident.id) == Sample.resident_id)
        .join(Household, col(Household.id) == Sample.household_id)
        .join(Compound, col(Compound.id) == Household.compound_id)
        .where(col(Sample.round_id) == round_id)
    ).all()
    ordered = sorted(rows, key=lambda r: (natural_key(r[0]), natural_key(r[1]), r[9]))
    book = Workbook(write_only=True)
    sheet = book.create_sheet("送检名单")
    title = (
        f"{testing_round.name} · {testing_round.test_date.isoformat()} · "
        f"{_MODES[testing_round.mode]}"
    )
    sheet.append(row(sheet, [title]))
    sheet.append(list(EXPORT_HEADERS))
    for number, r in enumerate(ordered, start=1):
        compound, _key, address, name, id_number, mobile, barcode, sampled_at, result, _ = r
        sheet.append(
            row(
                sheet,
                [
                    number,
                    compound,
                    address,
                    name,
                    id_number,
                    mobile,
                    barcode,
                    to_local(sampled_at).strftime("%Y-%m-%d %H:%M"),
                    _RESULTS[result] if result else _PENDING,
                ],
            )
        )
    out = io.BytesIO()
    book.save(out)
    audit(
        session,
        actor,
        testing_round.community_id,
        "testing.export",
        f"testing_round:{round_id}",
        f"rows={len(ordered)}",
    )
    session.commit()
    return out.getvalue()
