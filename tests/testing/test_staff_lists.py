"""What the office's testing pages read: sampled and due per round, and the round's list
for the health centre (formula-safe, audited)."""

import io

import openpyxl
from sqlmodel import select

from app.community.models import Resident
from app.testing import service as testing
from app.timeutil import today_local


def test_progress_and_export_count_the_people_sampled(db, world):
    data = {"name": "第六轮全员核酸", "test_date": today_local(), "mode": "pool5"}
    rnd = testing.plan_round(db, world.staff, world.community.id, data)
    assert rnd.id is not None
    sampled, due = testing.round_progress(db, world.staff, world.community.id)[rnd.id]
    assert sampled == 0 and due > 0
    people = list(
        db.exec(select(Resident).where(Resident.household_id == world.household.id)).all()
    )
    # A name a spreadsheet would run as a formula stays text in the export.
    people[0].name = "=HYPERLINK(1)"
    db.add(people[0])
    db.commit()
    site = testing.add_site(
        db,
        world.staff,
        rnd.id,
        {"name": "东门", "opens": "08:00", "closes": "12:00", "capacity": 200},
    )
    tube = testing.open_tube(db, world.volunteer, {"site_id": site.id, "barcode": "T0001"})
    for person in people:
        testing.scan_member(db, world.volunteer, tube.id, person.id)
    testing.record_result(db, world.staff, rnd.id, "T0001", "阴性")

    assert testing.round_progress(db, world.staff, world.community.id)[rnd.id] == (
        len(people),
        due,
    )
    book = openpyxl.load_workbook(io.BytesIO(testing.round_export(db, world.staff, rnd.id)))
    sheet = book.active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1] == testing.EXPORT_HEADERS
    assert len(rows) == 2 + len(people)
    assert sorted(str(r[3]) for r in rows[2:]) == sorted(p.name for p in people)
    assert [(r[6], r[8]) for r in rows[2:]] == [("T0001", "阴性")] * len(people)
    cell = next(c for row in sheet.iter_rows() for c in row if c.value == "=HYPERLINK(1)")
    assert cell.data_type == "s"
