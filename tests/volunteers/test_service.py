import pytest
from sqlmodel import func, select

from app.accounts import service as accounts
from app.accounts.models import Role, User
from app.community.models import Grid
from app.errors import Forbidden, InvalidInput, ServiceError
from app.volunteers import service
from app.volunteers.models import Application


def _form(world, **changes):
    return {
        "name": "王浩然",
        "mobile": "13600001111",
        "password": "Abc12345",
        "community_id": world.community.id,
        "compound_id": world.household.compound_id,
        "building": "3",
        "duties": ["gate_guard", "screener"],
        "availability": ["weekend"],
        "skills": ["driving"],
        "party_member": True,
        "party_branch": "锦官驿社区第一党支部",
        "healthy": True,
        "consent": True,
        **changes,
    }


def _count(db, model) -> int:
    return db.exec(select(func.count()).select_from(model)).one()


def test_signing_up_creates_an_account_that_sees_its_application(db, world):
    application = service.apply(db, None, _form(world))
    applicant = db.get(User, application.user_id)
    assert (applicant.role, applicant.community_id) == (Role.APPLICANT, world.community.id)
    token = accounts.login(db, "13600001111", "Abc12345", client="x").token
    view = service.my_application(db, accounts.user_for_token(db, token))
    assert (view.status, view.place, view.party) == (
        "pending",
        "望江花园 3",
        "锦官驿社区第一党支部",
    )
    assert view.duties == ["gate_guard", "screener"]


def test_cadres_sent_down_name_their_unit_instead_of_an_address(db, world):
    application = service.apply(
        db, None, _form(world, compound_id=None, building="", sent_from="市交通局")
    )
    assert service.pending_applications(db, world.staff, world.community.id)[0].place == "市交通局"
    assert application.compound_id is None


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({"consent": False}, {"consent": "errors.consent_required"}),
        ({"healthy": False}, {"healthy": "errors.health_required"}),
        ({"duties": []}, {"duties": "errors.duties_required"}),
        ({"compound_id": None}, {"compound_id": "errors.where_required"}),
        ({"mobile": "1360000"}, {"mobile": "errors.mobile_invalid"}),
        ({"mobile": "13800000001"}, {"mobile": "errors.mobile_taken_login"}),
        ({"password": "abc"}, {"password": "errors.password_weak"}),
        ({"duties": ["astronaut"]}, {"duties": "errors.enum"}),
    ],
)
def test_incomplete_sign_ups_save_nothing(db, world, changes, errors):
    users, applications = _count(db, User), _count(db, Application)
    with pytest.raises(InvalidInput) as exc:
        service.apply(db, None, _form(world, **changes))
    assert exc.value.fields == errors
    assert (_count(db, User), _count(db, Application)) == (users, applications)


def test_a_logged_in_resident_applies_once_with_their_own_account(db, world):
    service.apply(db, world.resident, _form(world, mobile=world.resident.mobile, password=""))
    with pytest.raises(ServiceError) as exc:
        service.apply(db, world.resident, _form(world, mobile=world.resident.mobile))
    assert exc.value.code == "errors.application_pending"


def test_approval_makes_the_account_a_volunteer_at_once(db, world):
    application = service.apply(db, None, _form(world))
    token = accounts.login(db, "13600001111", "Abc12345", client="x").token
    service.decide(db, world.staff, [application.id], approve=True)
    user = accounts.user_for_token(db, token)  # the same open session, next event
    assert user.role == Role.VOLUNTEER
    assert service.pending_applications(db, world.staff, world.community.id) == []
    assert service.my_application(db, user).status == "approved"


def test_declining_needs_a_reason_the_applicant_then_reads(db, world):
    application = service.apply(db, None, _form(world))
    with pytest.raises(InvalidInput) as exc:
        service.decide(db, world.staff, [application.id], approve=False, reason=" ")
    assert exc.value.fields == {"reason": "errors.reason_required"}
    service.decide(db, world.staff, [application.id], approve=False, reason="本楼栋已满员")
    applicant = db.get(User, application.user_id)
    view = service.my_application(db, applicant)
    assert (view.status, view.decline_reason, applicant.role) == (
        "declined",
        "本楼栋已满员",
        Role.APPLICANT,
    )
    # after a decline they may apply again
    service.apply(db, applicant, _form(world))


def test_an_application_is_decided_once_and_the_second_staff_member_is_told_who(db, world):
    second = service.apply(db, None, _form(world, mobile="13600002222"))
    first = service.apply(db, None, _form(world))
    service.decide(db, world.staff, [first.id], approve=True)
    with pytest.raises(ServiceError) as exc:
        # bulk: nothing of it is applied when one was already decided
        service.decide(db, world.street_staff, [second.id, first.id], approve=False, reason="重复")
    assert (exc.value.code, exc.value.params) == (
        "errors.already_decided",
        {"name": world.staff.name},
    )
    assert db.get(Application, second.id).status == "pending"


def test_staff_of_another_community_cannot_decide(db, world):
    application = service.apply(db, None, _form(world))
    with pytest.raises(Forbidden):
        service.decide(db, world.far_staff, [application.id], approve=True)
    assert db.get(Application, application.id).status == "pending"


def test_staff_approve_one_with_the_duties_they_grant_and_a_grid(db, world):
    application = service.apply(db, None, _form(world))
    service.approve(db, world.staff, application.id, {"duties": ["screener"], "grid_id": None})
    volunteer = db.get(User, application.user_id)
    assert (volunteer.role, volunteer.grid_id) == (Role.VOLUNTEER, None)
    assert service.my_application(db, volunteer).duties == ["screener"]  # not gate duty

    second = service.apply(db, None, _form(world, mobile="13600002222"))
    service.approve(
        db, world.staff, second.id, {"duties": ["building_lead"], "grid_id": world.grid.id}
    )
    assert db.get(User, second.user_id).grid_id == world.grid.id  # finds their doors at once


@pytest.mark.parametrize(
    ("grant", "errors"),
    [
        ({"duties": []}, {"duties": "errors.grant_required"}),
        ({"duties": ["astronaut"]}, {"duties": "errors.enum"}),
        ({"duties": ["screener"], "grid_id": "far"}, {"grid_id": "errors.grid_other_community"}),
    ],
)
def test_a_refused_approval_leaves_the_application_waiting(db, world, grant, errors):
    far_grid = Grid(community_id=world.far_household.community_id, name="上游网格")
    db.add(far_grid)
    db.commit()
    if grant.get("grid_id") == "far":
        grant = {**grant, "grid_id": far_grid.id}
    application = service.apply(db, None, _form(world))
    with pytest.raises(InvalidInput) as exc:
        service.approve(db, world.staff, application.id, grant)
    assert exc.value.fields == errors
    db.expire_all()
    assert db.get(Application, application.id).status == "pending"
    assert db.get(User, application.user_id).role == Role.APPLICANT


def test_approving_one_already_declined_names_who_declined(db, world):
    application = service.apply(db, None, _form(world))
    service.decide(db, world.street_staff, [application.id], approve=False, reason="已满员")
    with pytest.raises(ServiceError) as exc:
        service.approve(db, world.staff, application.id, {"duties": ["screener"]})
    assert (exc.value.code, exc.value.params) == (
        "errors.already_decided",
        {"name": world.street_staff.name},
    )
    assert db.get(User, application.user_id).role == Role.APPLICANT
