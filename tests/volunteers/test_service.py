import pytest
from sqlmodel import func, select

from app.accounts import service as accounts
from app.accounts.models import Role, User
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
