"""Nucleic-acid testing as staff, samplers, volunteers and residents meet it: planning, codes,
scanning, the missed list, home sampling, results and the board; every bad input refused
with its code and nothing half-saved."""

from datetime import time, timedelta

import openpyxl
import pytest
from sqlmodel import func, select

from app.community import service as community
from app.community.models import Resident
from app.errors import Forbidden, InvalidInput, ServiceError
from app.screening import service as screening
from app.settings import Settings
from app.testing import service as testing
from app.testing.models import HomeSamplingTask, MissedMark, Sample, TestingRound, Tube
from app.timeutil import today_local
from tests.conftest import add_household


def _round(db, w, **extra) -> TestingRound:
    data = {"name": "第五轮全员核酸", "test_date": today_local(), "mode": "pool5"}
    return testing.plan_round(db, w.staff, w.community.id, data | extra)


def _site(db, w, rnd, **extra):
    data = {"name": "东门采样点", "place": "望江花园东门", "opens": "08:00", "closes": "12:00"}
    return testing.add_site(db, w.staff, rnd.id, data | {"capacity": 200} | extra)


def _people(db, household) -> list[Resident]:
    query = select(Resident).where(Resident.household_id == household.id).order_by(Resident.id)
    return list(db.exec(query).all())


def _tube(db, w, rnd, barcode="T0001"):
    site = _site(db, w, rnd)
    return testing.open_tube(db, w.volunteer, {"site_id": site.id, "barcode": barcode})


def _count(db, model) -> int:
    return db.exec(select(func.count()).select_from(model)).one()


# ---------------------------------------------------------------- personal codes


def test_a_personal_code_is_compact_opaque_and_resolves(db, world):
    person = _people(db, world.household)[0]
    code = community.personal_code(person.id)
    assert code.startswith("CEP1") and len(code) == 27 and code.isalnum() and code.isupper()
    assert person.name not in code
    assert community.resolve_code(db, code).id == person.id
    assert community.resolve_code(db, f"  {code.lower()} ").id == person.id


def test_codes_not_ours_or_forged_are_refused(db, world):
    person = _people(db, world.household)[0]
    code = community.personal_code(person.id)
    for other in ("https://weixin.qq.com/r/abc", "", "CEP1", code + "A"):
        with pytest.raises(ServiceError) as exc:
            community.resolve_code(db, other)
        assert exc.value.code == "errors.code_not_ours"
    forged = code[:-1] + ("A" if code[-1] != "A" else "B")
    with pytest.raises(ServiceError) as exc:
        community.resolve_code(db, forged)
    assert exc.value.code == "errors.code_forged"
    # Another id with the first one's signature.
    other_id = community.personal_code(person.id + 1)[:11] + code[11:]
    with pytest.raises(ServiceError) as exc:
        community.resolve_code(db, other_id)
    assert exc.value.code == "errors.code_forged"
    with pytest.raises(ServiceError) as exc:
        community.resolve_code(db, community.personal_code(999999))
    assert exc.value.code == "errors.code_unknown"


def test_the_secret_comes_from_the_environment_or_a_kept_file(tmp_path, monkeypatch):
    monkeypatch.delenv("PASS_SECRET", raising=False)
    kept = tmp_path / "data" / "pass_secret"
    first = Settings(pass_secret_file=kept).pass_key()
    assert kept.exists() and len(first) == 64
    assert Settings(pass_secret_file=kept).pass_key() == first  # generated once
    monkeypatch.setenv("PASS_SECRET", "from-the-environment")
    assert Settings(pass_secret_file=kept).pass_key() == b"from-the-environment"


# ---------------------------------------------------------------- planning


def test_a_round_covers_its_compounds_and_lists_home_sampling(db, world):
    people = _people(db, world.household)
    people[1].disabled = True
    db.add(people[1])
    db.commit()
    rnd = _round(db, world)
    board = testing.board(db, world.staff, rnd.id)
    assert (board.total.due, board.total.sampled, board.total.home_open) == (3, 0, 1)
    assert [c.name for c in board.compounds] == ["望江花园", "锦城苑"]
    tasks = testing.home_tasks(db, world.staff, rnd.id)
    assert [(t.resident_id, t.reason, t.status) for t in tasks] == [(people[1].id, "care", "open")]
    one = _round(db, world, compound_ids=[world.outside.compound_id])
    assert testing.board(db, world.staff, one.id).total.due == 1


def test_quarantined_households_are_sampled_at_home(db, world):
    screening.start_quarantine(db, world.staff, [_people(db, world.household)[0].id], "密接")
    db.commit()
    rnd = _round(db, world)
    assert {t.reason for t in testing.home_tasks(db, world.staff, rnd.id)} == {"quarantine"}


def test_planning_refuses_a_past_date_or_compounds_of_elsewhere(db, world):
    with pytest.raises(InvalidInput) as exc:
        _round(db, world, test_date=today_local() - timedelta(days=1))
    assert exc.value.fields == {"test_date": "errors.date_in_past"}
    with pytest.raises(InvalidInput) as exc:
        _round(db, world, compound_ids=[world.far_household.compound_id])
    assert exc.value.fields == {"compound_ids": "errors.compound_not_here"}
    with pytest.raises(InvalidInput):
        _round(db, world, mode="pool20")
    assert _count(db, TestingRound) == 0


def test_slots_keep_to_the_site_hours_capacity_and_one_per_building(db, world):
    rnd = _round(db, world)
    site = _site(db, world, rnd, capacity=4)
    building = world.household.building_id
    slot = {"building_id": building, "starts": "08:00", "ends": "08:30"}
    with pytest.raises(InvalidInput) as exc:
        testing.add_slot(db, world.staff, site.id, slot | {"starts": "07:00"})
    assert exc.value.fields == {"starts": "errors.slot_outside_hours"}
    with pytest.raises(InvalidInput) as exc:  # 2 people in 15 minutes at 4 an hour
        testing.add_slot(db, world.staff, site.id, slot | {"ends": "08:15"})
    assert exc.value.fields == {"ends": "errors.slot_over_capacity"}
    testing.add_slot(db, world.staff, site.id, slot)
    with pytest.raises(InvalidInput) as exc:
        testing.add_slot(db, world.staff, site.id, slot | {"starts": "09:00", "ends": "09:30"})
    assert exc.value.fields == {"building_id": "errors.slot_taken"}
    with pytest.raises(InvalidInput) as exc:
        far = {"building_id": world.far_household.building_id, "starts": "10:00", "ends": "11:00"}
        testing.add_slot(db, world.staff, site.id, far)
    assert exc.value.fields == {"building_id": "errors.not_in_round"}
    [view] = testing.sites(db, world.volunteer, rnd.id)
    assert [(s.building, s.starts, s.ends, s.people) for s in view.slots] == [
        ("望江花园 3", "08:00", "08:30", 2)
    ]


# ---------------------------------------------------------------- sampling


def test_a_pool_fills_by_codes_and_closes_when_full(db, world):
    more = add_household(db, world.community, "望江花园二期", "502", ("甲", "乙", "丙"))
    rnd = _round(db, world, mode="pool5")
    tube = _tube(db, world, rnd)
    assert (tube.size, tube.filled, tube.closed) == (5, 0, False)
    people = _people(db, world.household) + _people(db, more)
    for person in people:
        tube = testing.scan_code(db, world.volunteer, tube.id, community.personal_code(person.id))
    assert (tube.filled, tube.closed, tube.people[:2]) == (5, True, ["罗*", "罗*雨"])
    with pytest.raises(ServiceError) as exc:
        testing.scan_member(db, world.volunteer, tube.id, _people(db, world.outside)[0].id)
    assert exc.value.code == "errors.tube_closed"
    assert _count(db, Sample) == 5


def test_a_tube_scanned_twice_is_refused(db, world):
    rnd = _round(db, world)
    tube = _tube(db, world, rnd, "t-0001")
    assert tube.barcode == "T-0001"
    with pytest.raises(ServiceError) as exc:
        testing.open_tube(
            db, world.staff, {"site_id": _site(db, world, rnd).id, "barcode": "T-0001"}
        )
    assert (exc.value.code, exc.value.params) == ("errors.tube_scanned_twice", {"tube": "T-0001"})
    with pytest.raises(InvalidInput) as exc:
        testing.open_tube(db, world.staff, {"site_id": 1, "barcode": "管 1"})
    assert exc.value.fields == {"barcode": "errors.barcode_invalid"}
    assert _count(db, Tube) == 1


def test_a_person_scanned_twice_is_flagged_and_counted_once(db, world):
    rnd = _round(db, world)
    person = _people(db, world.household)[0]
    first = _tube(db, world, rnd, "T001")
    testing.scan_code(db, world.volunteer, first.id, community.personal_code(person.id))
    second = _tube(db, world, rnd, "T002")
    with pytest.raises(ServiceError) as exc:
        testing.scan_code(db, world.staff, second.id, community.personal_code(person.id))
    assert (exc.value.code, exc.value.params) == ("errors.already_sampled", {"tube": "T001"})
    with pytest.raises(ServiceError):
        testing.scan_member(db, world.staff, second.id, person.id)
    assert testing.board(db, world.staff, rnd.id).total.sampled == 1
    assert db.get(Tube, second.id).filled == 0


def test_codes_of_elsewhere_or_not_ours_are_refused_and_nothing_saved(db, world):
    rnd = _round(db, world)
    tube = _tube(db, world, rnd)
    far = _people(db, world.far_household)[0]
    cases = {
        community.personal_code(far.id): "errors.code_other_community",
        "HTTPS://U.WECHAT.COM/EABC": "errors.code_not_ours",
        community.personal_code(far.id)[:-2] + "AA": "errors.code_forged",
    }
    for code, expected in cases.items():
        with pytest.raises(ServiceError) as exc:
            testing.scan_code(db, world.volunteer, tube.id, code)
        assert exc.value.code == expected
    other_round = _round(db, world, compound_ids=[world.outside.compound_id])
    other_tube = _tube(db, world, other_round, "T009")
    with pytest.raises(ServiceError) as exc:
        person = _people(db, world.household)[0]
        testing.scan_code(db, world.volunteer, other_tube.id, community.personal_code(person.id))
    assert exc.value.code == "errors.not_in_round"
    assert _count(db, Sample) == 0
    assert db.get(Tube, tube.id).filled == 0


def test_a_closed_round_takes_no_more_samples(db, world):
    rnd = _round(db, world)
    tube = _tube(db, world, rnd)
    testing.end_round(db, world.staff, rnd.id)
    person = _people(db, world.household)[0]
    with pytest.raises(ServiceError) as exc:
        testing.scan_code(db, world.volunteer, tube.id, community.personal_code(person.id))
    assert exc.value.code == "errors.testing_round_ended"
    with pytest.raises(ServiceError) as exc:
        testing.end_round(db, world.staff, rnd.id)
    assert exc.value.code == "errors.testing_round_ended"
    assert testing.testing_rounds(db, world.volunteer, world.community.id) == []
    assert testing.testing_rounds(db, world.staff, world.community.id)[0].open is False


def test_someone_without_a_code_is_found_at_the_door_and_ticked(db, world):
    rnd = _round(db, world)
    tube = _tube(db, world, rnd)
    [door] = testing.find_door(db, world.volunteer, rnd.id, "3－2－501")
    assert [(p.name, p.sampled) for p in door.people] == [("罗*", False), ("罗*雨", False)]
    testing.scan_member(db, world.volunteer, tube.id, door.people[1].resident_id)
    [door] = testing.find_door(db, world.volunteer, rnd.id, "3-2-501")
    assert [p.sampled for p in door.people] == [False, True]
    assert db.exec(select(Sample.by_code)).one() is False
    with pytest.raises(InvalidInput) as exc:
        testing.find_door(db, world.volunteer, rnd.id, "9-9-909")
    assert exc.value.fields == {"door": "errors.door_not_found"}


def test_undo_takes_the_last_scan_out_and_reopens_a_full_tube(db, world):
    rnd = _round(db, world, mode="single")
    tube = _tube(db, world, rnd)
    person = _people(db, world.household)[0]
    tube = testing.scan_member(db, world.volunteer, tube.id, person.id)
    assert (tube.size, tube.filled, tube.closed) == (1, 1, True)
    tube = testing.undo_last_scan(db, world.volunteer, tube.id)
    assert (tube.filled, tube.closed, tube.people) == (0, False, [])
    with pytest.raises(ServiceError) as exc:
        testing.undo_last_scan(db, world.volunteer, tube.id)
    assert exc.value.code == "errors.tube_empty"
    # The person may be sampled again, once.
    testing.scan_member(db, world.volunteer, tube.id, person.id)
    assert _count(db, Sample) == 1


def test_a_partial_tube_is_closed_by_hand(db, world):
    rnd = _round(db, world)
    tube = _tube(db, world, rnd)
    with pytest.raises(ServiceError) as exc:
        testing.close_tube(db, world.volunteer, tube.id)
    assert exc.value.code == "errors.tube_empty"
    testing.scan_member(db, world.volunteer, tube.id, _people(db, world.household)[0].id)
    assert testing.close_tube(db, world.volunteer, tube.id).closed


# ---------------------------------------------------------------- the missed list


def test_the_missed_list_shows_who_is_due_and_not_sampled_by_door(db, world):
    rnd = _round(db, world)
    tube = _tube(db, world, rnd)
    first, second = _people(db, world.household)
    testing.scan_member(db, world.volunteer, tube.id, first.id)
    missed = testing.missed_list(db, world.volunteer, rnd.id, world.household.building_id)
    assert (missed.due, missed.sampled, missed.unexplained) == (2, 1, 1)
    assert [(d.door, [p.name for p in d.people]) for d in missed.doors] == [("3-2-501", ["罗小雨"])]
    testing.mark_missed(
        db, world.volunteer, rnd.id, second.id, {"kind": "hospital", "reason": "华西医院住院"}
    )
    missed = testing.missed_list(db, world.volunteer, rnd.id, world.household.building_id)
    assert (missed.doors[0].people[0].mark, missed.unexplained) == ("hospital", 0)
    assert testing.board(db, world.staff, rnd.id).total.missed_households == 1  # 锦城苑 only
    testing.clear_mark(db, world.volunteer, rnd.id, second.id)
    assert _count(db, MissedMark) == 0


def test_marks_need_a_reason_and_a_person_not_sampled_in_my_buildings(db, world):
    rnd = _round(db, world)
    first, second = _people(db, world.household)
    with pytest.raises(InvalidInput) as exc:
        testing.mark_missed(db, world.volunteer, rnd.id, second.id, {"kind": "away", "reason": " "})
    assert exc.value.fields == {"reason": "errors.missed_reason_required"}
    with pytest.raises(InvalidInput):
        testing.mark_missed(db, world.volunteer, rnd.id, second.id, {"kind": "dead", "reason": "x"})
    outsider = _people(db, world.outside)[0]
    with pytest.raises(Forbidden):  # not in the volunteer's grid
        testing.mark_missed(
            db, world.volunteer, rnd.id, outsider.id, {"kind": "away", "reason": "出差"}
        )
    with pytest.raises(Forbidden):
        testing.missed_list(db, world.volunteer, rnd.id, world.outside.building_id)
    testing.scan_member(db, world.volunteer, _tube(db, world, rnd).id, first.id)
    with pytest.raises(ServiceError) as exc:
        testing.mark_missed(
            db, world.volunteer, rnd.id, first.id, {"kind": "away", "reason": "出差"}
        )
    assert exc.value.code == "errors.already_sampled"
    assert _count(db, MissedMark) == 0


# ---------------------------------------------------------------- home sampling


def test_a_home_task_is_taken_once_and_closed_by_sampling(db, world):
    rnd = _round(db, world)
    person = _people(db, world.household)[1]
    task = testing.request_home_sampling(db, world.volunteer, rnd.id, person.id)
    with pytest.raises(ServiceError) as exc:
        testing.request_home_sampling(db, world.staff, rnd.id, person.id)
    assert exc.value.code == "errors.home_task_exists"
    with pytest.raises(ServiceError) as exc:
        testing.finish_home_task(db, world.volunteer, task.id, "H001")
    assert exc.value.code == "errors.take_task_first"
    testing.take_home_task(db, world.volunteer, task.id)
    with pytest.raises(ServiceError) as exc:
        testing.take_home_task(db, world.staff, task.id)
    assert exc.value.code == "errors.task_taken"
    testing.finish_home_task(db, world.volunteer, task.id, "H001")
    assert db.get(HomeSamplingTask, task.id).status == "done"
    assert db.exec(select(Tube.site_id, Tube.filled)).one() == (None, 1)
    with pytest.raises(ServiceError) as exc:
        testing.finish_home_task(db, world.volunteer, task.id, "H001")
    assert exc.value.code == "errors.task_done"
    assert testing.board(db, world.staff, rnd.id).total.home_open == 0


# ---------------------------------------------------------------- results


def _sampled_round(db, world):
    """A 5-in-1 round: the household's two in T001, 李雪 in T002."""
    rnd = _round(db, world)
    site = _site(db, world, rnd)
    one = testing.open_tube(db, world.volunteer, {"site_id": site.id, "barcode": "T001"})
    two = testing.open_tube(db, world.volunteer, {"site_id": site.id, "barcode": "T002"})
    for person in _people(db, world.household):
        testing.scan_member(db, world.volunteer, one.id, person.id)
    testing.scan_member(db, world.staff, two.id, _people(db, world.outside)[0].id)
    return rnd


def _xlsx(rows) -> bytes:
    import io

    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_results_from_a_lab_sheet_mark_negatives_and_retest_positive_pools(db, world):
    rnd = _sampled_round(db, world)
    content = _xlsx([["试管编号", "检测结果"], ["T001", "阳性"], ["t002", "阴性"]])
    result = testing.import_results(db, world.staff, rnd.id, "结果.xlsx", content)
    assert (result.tubes, result.negative, result.positive, result.retest) == (2, 1, 1, 2)
    assert len(result.quarantined) == 2
    assert len(screening.quarantine_plans(db, world.staff)) == 2
    mine = testing.my_testing(db, world.resident)
    assert [p.status for p in mine.people] == ["retest", "retest"]
    board = testing.board(db, world.staff, rnd.id)
    assert board.tubes_positive == 1
    # The same file again changes nothing.
    again = testing.import_results(db, world.staff, rnd.id, "结果.xlsx", content)
    assert (again.tubes, again.unchanged) == (0, 2)


def test_a_lab_sheet_with_a_merged_title_row_above_its_header_imports(db, world):
    import io

    rnd = _sampled_round(db, world)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["望江检测机构 核酸结果"])
    sheet.merge_cells("A1:C1")
    sheet.append([])
    sheet.append(["序号", "管号", "结果"])
    sheet.append([1, "T001", "阴性"])
    sheet.append([2, "T404", "阴性"])
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(testing.ResultsHaveErrors) as exc:
        testing.import_results(db, world.staff, rnd.id, "结果.xlsx", out.getvalue())
    assert [(p.row, p.code) for p in exc.value.problems] == [(5, "errors.result_unknown_tube")]
    sheet.delete_rows(5)
    out = io.BytesIO()
    book.save(out)
    result = testing.import_results(db, world.staff, rnd.id, "结果.xlsx", out.getvalue())
    assert (result.tubes, result.negative) == (1, 1)
    # The same in a CSV, the title in the first cell only.
    csv = "望江检测机构 核酸结果\n试管编号,检测结果\nT002,阴性\n".encode("gbk")
    assert testing.import_results(db, world.staff, rnd.id, "r.csv", csv).negative == 1


def test_a_typed_result_and_csv_work_the_same(db, world):
    rnd = _sampled_round(db, world)
    testing.record_result(db, world.staff, rnd.id, "T002", "阴性")
    csv = "管号,结果\nT001,negative\n".encode("gbk")
    assert testing.import_results(db, world.staff, rnd.id, "r.csv", csv).negative == 1
    assert [p.status for p in testing.my_testing(db, world.resident).people] == [
        "negative",
        "negative",
    ]


def test_a_result_file_with_unknown_tubes_or_bad_values_writes_nothing(db, world):
    rnd = _sampled_round(db, world)
    csv = "管号,结果\nT001,阴性\nT404,阴性\nT002,不明\nT001,阳性\n".encode()
    with pytest.raises(testing.ResultsHaveErrors) as exc:
        testing.import_results(db, world.staff, rnd.id, "r.csv", csv)
    assert exc.value.code == "errors.results_have_errors"
    assert [(p.row, p.code) for p in exc.value.problems] == [
        (3, "errors.result_unknown_tube"),
        (4, "errors.result_bad_value"),
        (5, "errors.result_conflict"),
    ]
    with pytest.raises(ServiceError) as exc:
        testing.import_results(db, world.staff, rnd.id, "r.csv", "甲,乙\n1,2\n".encode())
    assert exc.value.code == "errors.result_columns_missing"
    with pytest.raises(ServiceError) as exc:
        testing.import_results(db, world.staff, rnd.id, "r.pdf", b"%PDF")
    assert exc.value.code == "errors.file_type"
    testing.record_result(db, world.staff, rnd.id, "T001", "阴性")
    with pytest.raises(testing.ResultsHaveErrors) as exc:
        testing.record_result(db, world.staff, rnd.id, "T001", "阳性")
    assert exc.value.problems[0].code == "errors.result_already_in"
    assert db.exec(select(func.count()).where(Tube.result.is_not(None))).one() == 1
    assert screening.quarantine_plans(db, world.staff) == []


# ---------------------------------------------------------------- residents


def test_residents_see_their_household_slot_site_and_codes(db, world):
    assert testing.my_testing(db, world.resident) is None
    rnd = _round(db, world)
    site = _site(db, world, rnd)
    slot = {"building_id": world.household.building_id, "starts": time(8), "ends": time(8, 30)}
    testing.add_slot(db, world.staff, site.id, slot)
    mine = testing.my_testing(db, world.resident)
    assert (mine.site, mine.place, mine.slot) == ("东门采样点", "望江花园东门", "08:00–08:30")
    assert [p.name for p in mine.people] == ["罗辉", "罗小雨"]
    assert all(community.resolve_code(db, p.code).id == p.resident_id for p in mine.people)
    assert {p.status for p in mine.people} == {""}
    tube = _tube(db, world, rnd, "T005")
    testing.scan_code(db, world.volunteer, tube.id, mine.people[0].code)
    assert testing.my_testing(db, world.resident).people[0].status == "sampled"


def test_the_household_card_is_the_familys_own_or_their_staffs(db, world):
    mine = testing.household_codes(db, world.resident, world.household.id)
    assert [m.name for m in mine.members] == ["罗辉", "罗小雨"]
    assert all(community.resolve_code(db, m.code).id == m.resident_id for m in mine.members)
    # Staff print it for the family (written to the access log); it is the same card.
    assert testing.household_codes(db, world.staff, world.household.id) == mine
    entries = community.audit_log(db, world.staff, world.community.id)
    assert [e.action for e in entries][:1] == ["testing.card"]
    # Someone else's household, or staff of another community: refused.
    with pytest.raises(Forbidden):
        testing.household_codes(db, world.resident, world.outside.id)
    with pytest.raises(Forbidden):
        testing.household_codes(db, world.far_staff, world.household.id)
    with pytest.raises(ServiceError, match="errors.not_found"):
        testing.household_codes(db, world.staff, 10**6)


def test_volunteers_see_the_board_of_their_grid_only(db, world):
    rnd = _round(db, world)
    board = testing.board(db, world.volunteer, rnd.id)
    assert [c.name for c in board.compounds] == ["望江花园"]
    assert board.total.due == 2
