"""Screening rules as staff and volunteers meet them: rounds, door visits, risk, follow-ups,
arrivals and home quarantine."""

import threading
import uuid
from datetime import date, timedelta

import pytest
from sqlmodel import Session, func, select

from app.accounts.models import Role
from app.community.models import Resident
from app.errors import Forbidden, InvalidInput, ServiceError
from app.screening import service as screening
from app.screening.models import (
    DailyCheck,
    PersonCheck,
    PlanStatus,
    QuarantinePlan,
    Risk,
    Round,
    Visit,
)
from app.timeutil import today_local, utcnow
from tests.conftest import add_user


def _round(db, w, **extra) -> Round:
    data = {"name": "第三轮全员排查", "starts_on": today_local(), "ends_on": today_local()}
    return screening.start_round(db, w.staff, w.community.id, data | extra)


def _members(db, household_id) -> list[Resident]:
    return list(db.exec(select(Resident).where(Resident.household_id == household_id)).all())


def _visit(db, actor, rnd, household, outcome="visited", people=None, **extra):
    if people is None and outcome == "visited":
        people = [{"resident_id": r.id} for r in _members(db, household.id)]
    data = {
        "client_id": extra.pop("client_id", uuid.uuid4().hex),
        "round_id": rnd.id,
        "household_id": household.id,
        "outcome": outcome,
        "people": people or [],
    }
    return screening.record_visit(db, actor, data | extra)


def _count(db, model) -> int:
    return db.exec(select(func.count()).select_from(model)).one()


def test_a_round_covers_every_door_of_its_scope(db, world):
    whole = _round(db, world)
    assert screening.coverage(db, world.staff, whole.id).total.doors == 2
    one = _round(db, world, name="望江花园复查", compound_ids=[world.household.compound_id])
    board = screening.coverage(db, world.staff, one.id)
    assert board.total.doors == 1
    assert [c.name for c in board.compounds] == ["望江花园"]


def test_a_round_needs_sensible_dates_and_doors(db, world):
    with pytest.raises(InvalidInput) as exc:
        _round(db, world, starts_on=date(2026, 11, 20), ends_on=date(2026, 11, 19))
    assert exc.value.fields == {"ends_on": "errors.ends_before_start"}
    with pytest.raises(InvalidInput) as exc:
        _round(db, world, compound_ids=[999999])
    assert exc.value.fields == {"compound_ids": "errors.round_empty"}
    assert _count(db, Round) == 0


def test_all_normal_in_one_tap_counts_the_door_done(db, world):
    rnd = _round(db, world)
    result = _visit(db, world.volunteer, rnd, world.household)
    assert (result.outcome, result.risk, result.repeated) == ("visited", Risk.NORMAL, False)
    board = screening.coverage(db, world.staff, rnd.id)
    assert (board.total.done, board.total.doors, board.total.percent) == (1, 2, 50)
    assert board.progress[-1][1] == 50
    doors = screening.my_buildings(db, world.volunteer)
    assert [d.outcome for b in doors for d in b.doors] == ["visited"]


def test_a_resend_is_stored_once(db, world):
    rnd = _round(db, world)
    first = _visit(db, world.volunteer, rnd, world.household, client_id="phone-1-0001")
    again = _visit(db, world.volunteer, rnd, world.household, client_id="phone-1-0001")
    assert again.repeated and again.visit_id == first.visit_id
    assert _count(db, Visit) == 1
    assert _count(db, PersonCheck) == 2


def test_a_volunteer_cannot_record_a_door_outside_their_assignment(db, world):
    rnd = _round(db, world)
    with pytest.raises(Forbidden) as exc:
        _visit(db, world.volunteer, rnd, world.outside, outcome="vacant")
    assert exc.value.code == "errors.door_not_yours"
    # Staff give that building to the volunteer: now it is theirs.
    screening.assign_buildings(
        db, world.staff, rnd.id, [world.outside.building_id], world.volunteer.id
    )
    _visit(db, world.volunteer, rnd, world.outside, outcome="vacant")
    assert {b.name for b in screening.my_buildings(db, world.volunteer)} == {
        "望江花园 3",
        "锦城苑 3",
    }


def test_another_communitys_staff_cannot_record_or_read(db, world):
    rnd = _round(db, world)
    with pytest.raises(Forbidden):
        _visit(db, world.far_staff, rnd, world.household)
    with pytest.raises(Forbidden):
        screening.coverage(db, world.far_staff, rnd.id)


def test_temperature_outside_34_to_43_asks_to_recheck_and_saves_nothing(db, world):
    rnd = _round(db, world)
    luo, xiaoyu = _members(db, world.household.id)
    people = [
        {"resident_id": luo.id, "temperature": 36.5},
        {"resident_id": xiaoyu.id, "temperature": 45},
    ]
    with pytest.raises(InvalidInput) as exc:
        _visit(db, world.volunteer, rnd, world.household, people=people)
    assert exc.value.fields == {"people.1.temperature": "errors.temperature_recheck"}
    assert _count(db, Visit) == 0 and _count(db, PersonCheck) == 0


def test_future_dates_are_refused(db, world):
    rnd = _round(db, world)
    (luo, _) = _members(db, world.household.id)
    tomorrow = today_local() + timedelta(days=1)
    people = [
        {"resident_id": luo.id, "travel": True, "travel_place": "上海", "travel_date": tomorrow}
    ]
    with pytest.raises(InvalidInput) as exc:
        _visit(db, world.volunteer, rnd, world.household, people=people)
    assert exc.value.fields == {"people.0.travel_date": "errors.date_in_future"}
    with pytest.raises(InvalidInput) as exc:
        _visit(db, world.volunteer, rnd, world.household, recorded_at=utcnow() + timedelta(hours=2))
    assert exc.value.fields == {"recorded_at": "errors.date_in_future"}


def test_fever_refers_to_clinic_and_travel_starts_home_quarantine(db, world):
    rnd = _round(db, world)
    luo, xiaoyu = _members(db, world.household.id)
    people = [
        {"resident_id": luo.id, "temperature": 38.2},
        {
            "resident_id": xiaoyu.id,
            "travel": True,
            "travel_place": "上海浦东",
            "travel_date": today_local(),
        },
    ]
    result = _visit(db, world.volunteer, rnd, world.household, people=people)
    assert result.risk == Risk.CLINIC
    assert result.quarantined == ["罗小雨"]
    plans = screening.quarantine_plans(db, world.staff)
    assert [(p.name, p.days, p.day, p.checked_today) for p in plans] == [("罗小雨", 14, 1, False)]
    today = screening.today_lists(db, world.staff)
    assert [r.name for r in today.referrals] == ["罗辉"]
    board = screening.coverage(db, world.staff, rnd.id)
    assert board.total.risk == 1


def test_the_visit_cue_warns_of_quarantine_then_the_fever_clinic_also_when_resent(db, world):
    rnd = _round(db, world)
    luo, xiaoyu = _members(db, world.household.id)
    fever = [{"resident_id": luo.id, "temperature": 38.2}]
    referral = _visit(db, world.volunteer, rnd, world.household, people=fever)
    assert screening.visit_cue(referral) == ("visit.refer_clinic", {})

    travel = {"travel": True, "travel_place": "上海浦东", "travel_date": today_local()}
    both = [*fever, {"resident_id": xiaoyu.id} | travel]
    first = _visit(db, world.volunteer, rnd, world.household, people=both, client_id="phone-q-1")
    assert screening.visit_cue(first) == ("visit.quarantined", {"names": "罗小雨"})
    # The phone never got the answer and sends it again: the same warning, nothing new stored.
    again = _visit(db, world.volunteer, rnd, world.household, people=both, client_id="phone-q-1")
    assert again.repeated and screening.visit_cue(again) == screening.visit_cue(first)
    assert _count(db, QuarantinePlan) == 1

    normal = _visit(db, world.volunteer, rnd, world.household)
    assert screening.visit_cue(normal) is None


def test_staff_rules_change_what_answers_mean(db, world):
    rnd = _round(db, world)
    rules = screening.rules(db, world.staff, world.community.id)
    data = {name: getattr(rules, name) for name in screening.RulesInput.model_fields}
    screening.update_rules(
        db,
        world.staff,
        world.community.id,
        data | {"on_symptoms": Risk.QUARANTINE, "quarantine_days": 7},
    )
    (luo, _) = _members(db, world.household.id)
    result = _visit(
        db,
        world.volunteer,
        rnd,
        world.household,
        people=[{"resident_id": luo.id, "symptoms": ["cough"]}],
    )
    assert result.quarantined == ["罗辉"]
    assert screening.quarantine_plans(db, world.staff)[0].days == 7
    with pytest.raises(InvalidInput) as exc:
        screening.update_rules(db, world.staff, world.community.id, data | {"quarantine_days": 0})
    assert exc.value.fields == {"quarantine_days": "errors.days_out_of_range"}


def test_a_person_found_at_the_door_joins_the_register(db, world):
    rnd = _round(db, world)
    new = [{"name": "陈租客", "sex": "female", "relation": "租客", "temperature": 36.6}]
    _visit(db, world.volunteer, rnd, world.household, people=[], new_people=new)
    found = db.exec(select(Resident).where(Resident.name == "陈租客")).one()
    assert (found.household_id, found.residency.value) == (world.household.id, "tenant")
    with pytest.raises(InvalidInput) as exc:
        _visit(
            db,
            world.volunteer,
            rnd,
            world.household,
            people=[],
            new_people=[{"name": "", "sex": "male"}],
        )
    assert exc.value.fields == {"new_people.0.name": "errors.missing"}


def test_a_visited_door_needs_someone_checked(db, world):
    rnd = _round(db, world)
    with pytest.raises(InvalidInput) as exc:
        _visit(db, world.volunteer, rnd, world.household, people=[])
    assert exc.value.fields == {"people": "errors.visit_needs_people"}


def test_two_volunteers_on_one_door_keep_both_and_staff_see_the_conflict(db, world):
    rnd = _round(db, world)
    other = add_user(db, "13900000002", Role.VOLUNTEER, world.community, grid_id=world.grid.id)
    _visit(db, world.volunteer, rnd, world.household)
    _visit(db, other, rnd, world.household, outcome="refused")
    form = screening.visit_form(db, world.staff, rnd.id, world.household.id)
    assert form.conflict and sorted(r.outcome for r in form.records) == ["refused", "visited"]
    board = screening.coverage(db, world.staff, rnd.id)
    assert (board.total.conflicts, board.total.done) == (1, 1)
    screening.clear_conflict(db, world.staff, rnd.id, world.household.id)
    assert screening.coverage(db, world.staff, rnd.id).total.conflicts == 0


def test_not_at_home_goes_to_phone_follow_up_and_escalates(db, world):
    rnd = _round(db, world)
    _visit(db, world.volunteer, rnd, world.household, outcome="not_home")
    queue = screening.follow_ups(db, world.volunteer)
    assert [(f.address, f.failed_calls) for f in queue] == [(world.household.address, 0)]
    for _ in range(3):
        screening.record_failed_call(db, world.volunteer, queue[0].id, "无人接听")
    assert screening.follow_ups(db, world.volunteer) == []  # now the office's
    escalated = screening.follow_ups(db, world.staff)
    assert [f.status for f in escalated] == ["escalated"]
    # Reached later by phone: recorded as a visit, and the follow-up is done.
    _visit(db, world.staff, rnd, world.household, by_phone=True)
    assert screening.follow_ups(db, world.staff) == []
    assert screening.coverage(db, world.staff, rnd.id).total.not_home == 0


def test_a_returning_resident_from_a_risk_area_is_quarantined(db, world):
    data = {
        "client_id": uuid.uuid4().hex,
        "household_id": world.household.id,
        "name": "罗建国",
        "sex": "male",
        "from_place": "武汉",
        "from_risk_area": True,
        "arrived_on": today_local(),
        "transport": "train",
        "transport_no": "G1234",
    }
    view = screening.record_arrival(db, world.volunteer, data)
    assert (view.name, view.risk) == ("罗建国", Risk.QUARANTINE)
    assert [p.name for p in screening.quarantine_plans(db, world.staff)] == ["罗建国"]
    assert [a.name for a in screening.today_lists(db, world.staff).arrivals] == ["罗建国"]
    with pytest.raises(InvalidInput) as exc:
        screening.record_arrival(
            db,
            world.volunteer,
            data | {"client_id": uuid.uuid4().hex, "arrived_on": today_local() + timedelta(days=1)},
        )
    assert exc.value.fields == {"arrived_on": "errors.date_in_future"}


def test_quarantine_daily_checks_due_missed_and_release(db, world):
    (luo, _) = _members(db, world.household.id)
    plan = QuarantinePlan(
        resident_id=luo.id,
        household_id=world.household.id,
        community_id=world.community.id,
        reason="密接",
        starts_on=today_local() - timedelta(days=3),
        days=14,
        created_by=world.staff.id,
    )
    db.add(plan)
    db.commit()
    (view,) = screening.quarantine_plans(db, world.staff)
    assert (view.day, view.missed, view.checked_today) == (4, 3, False)
    # The resident reports today's check from their own phone.
    mine = screening.quarantine_plans(db, world.resident)
    checked = screening.record_check(
        db, world.resident, mine[0].id, {"client_id": uuid.uuid4().hex, "temperature": 36.4}
    )
    assert checked.checked_today and checked.last_temperature == "36.4"
    assert db.exec(select(DailyCheck)).one().self_reported
    with pytest.raises(ServiceError) as exc:
        screening.record_check(
            db, world.volunteer, plan.id, {"client_id": uuid.uuid4().hex, "temperature": 36.5}
        )
    assert exc.value.code == "errors.checked_today"
    with pytest.raises(InvalidInput) as exc:
        screening.release(db, world.staff, plan.id, "")
    assert exc.value.fields == {"note": "errors.early_release_needs_reason"}
    screening.release(db, world.staff, plan.id, "核酸阴性，经评估提前解除")
    assert db.get(QuarantinePlan, plan.id).status == PlanStatus.RELEASED
    assert screening.quarantine_plans(db, world.staff) == []


def test_weak_compounds_are_highlighted_after_the_set_time(db, world):
    rnd = _round(db, world)
    _visit(db, world.volunteer, rnd, world.household)
    screening.set_weak_threshold(
        db, world.staff, rnd.id, {"weak_below": 80, "weak_from": utcnow() - timedelta(minutes=1)}
    )
    board = screening.coverage(db, world.staff, rnd.id)
    assert {c.name: c.weak for c in board.compounds} == {"锦城苑": True, "望江花园": False}
    screening.set_weak_threshold(
        db, world.staff, rnd.id, {"weak_below": 80, "weak_from": utcnow() + timedelta(hours=1)}
    )
    assert not any(c.weak for c in screening.coverage(db, world.staff, rnd.id).compounds)


def test_special_care_residents_not_yet_seen_are_listed(db, world):
    rnd = _round(db, world)
    (luo, _) = _members(db, world.household.id)
    luo.elderly_alone = True
    db.add(luo)
    db.commit()
    assert [c.name for c in screening.today_lists(db, world.staff).care_not_seen] == ["罗辉"]
    _visit(db, world.volunteer, rnd, world.household)
    assert screening.today_lists(db, world.staff).care_not_seen == []


def test_a_closed_round_takes_no_more_visits(db, world):
    rnd = _round(db, world)
    screening.close_round(db, world.staff, rnd.id)
    with pytest.raises(ServiceError) as exc:
        _visit(db, world.volunteer, rnd, world.household)
    assert exc.value.code == "errors.round_closed"
    assert screening.my_buildings(db, world.volunteer) == []


def test_visits_at_once_are_all_counted_and_a_shared_door_is_flagged(engine, db, world):
    """Real threads on the real database: 16 volunteers record at once, four of them the
    same door; every record is stored and the door is marked for staff."""
    rnd = _round(db, world)
    volunteers = [
        add_user(db, f"1391000{i:04d}", Role.VOLUNTEER, world.community, grid_id=world.grid.id)
        for i in range(16)
    ]
    errors = []
    start = threading.Barrier(len(volunteers))

    def record(actor):
        with Session(engine, expire_on_commit=False) as own:
            start.wait()
            try:
                _visit(own, actor, rnd, world.household)
            except Exception as exc:  # noqa: BLE001  (reported below)
                errors.append(exc)

    threads = [threading.Thread(target=record, args=(v,)) for v in volunteers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert _count(db, Visit) == 16
    form = screening.visit_form(db, world.staff, rnd.id, world.household.id)
    assert form.conflict and len(form.records) == 16
    assert screening.coverage(db, world.staff, rnd.id).total.visited == 1


def test_the_offline_package_holds_only_the_volunteers_buildings(db, world):
    rnd = _round(db, world)
    package = screening.offline_package(db, world.volunteer)
    assert [(b.round_id, b.name) for b in package.buildings] == [(rnd.id, "望江花园 3")]
    (door,) = package.buildings[0].doors
    assert (door.address, [m.name for m in door.members]) == (
        world.household.address,
        ["罗辉", "罗小雨"],
    )
    # The outside household (no grid) stays off the phone until it is assigned.
    screening.assign_buildings(
        db, world.staff, rnd.id, [world.outside.building_id], world.volunteer.id
    )
    assert len(screening.offline_package(db, world.volunteer).buildings) == 2


def test_a_team_covers_the_buildings_given_to_it(db, world):
    from app.volunteers.models import Team, TeamMember

    rnd = _round(db, world)
    member = add_user(db, "13900000007", Role.VOLUNTEER, world.community)
    team = Team(community_id=world.community.id, name="第一小队", leader_id=member.id)
    db.add(team)
    db.flush()
    db.add(TeamMember(team_id=team.id, user_id=member.id))
    db.commit()
    with pytest.raises(Forbidden):
        _visit(db, member, rnd, world.outside, outcome="vacant")
    screening.assign_buildings(db, world.staff, rnd.id, [world.outside.building_id], None, team.id)
    assert [b.name for b in screening.my_buildings(db, member)] == ["锦城苑 3"]
    _visit(db, member, rnd, world.outside, outcome="vacant")
    board = screening.coverage(db, world.staff, rnd.id)
    outside = next(c for c in board.compounds if c.name == "锦城苑")
    assert outside.buildings[0].assignee == "第一小队"
    # The grid's volunteer no longer sees a building given to a team.
    screening.assign_buildings(
        db, world.staff, rnd.id, [world.household.building_id], None, team.id
    )
    assert screening.my_buildings(db, world.volunteer) == []
