"""Volunteer sign-up and approval: a one-minute application on a phone, decided by staff.

Approval makes the applicant's account a volunteer of that community; every event resolves
the account again, so a decision takes effect on open sessions at once."""

from collections.abc import Iterable
from dataclasses import dataclass

from pydantic import BaseModel, field_validator, model_validator
from pydantic_core import PydanticCustomError
from sqlalchemy import update
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from app.accounts.models import Role, User
from app.accounts.service import (
    check_password,
    ensure_signup_mobile_free,
    hash_password,
    require_community,
    require_role,
)
from app.community.models import Community, Compound
from app.community.service import check_grid, mask_mobile
from app.db import saved_id
from app.errors import InvalidInput, ServiceError, parse
from app.fields import required_mobile, text
from app.timeutil import format_local, utcnow
from app.volunteers.models import (
    Application,
    ApplicationStatus,
    Availability,
    Duty,
    Skill,
    Team,
    TeamMember,
)
from app.volunteers.shifts import release_future_shifts

STAFF_ROLES = (Role.STAFF, Role.STREET_STAFF, Role.ADMIN)
# Accounts that become volunteers when approved (staff who volunteer keep their role).
BECOMES_VOLUNTEER = (Role.APPLICANT, Role.RESIDENT)


class SignUp(BaseModel):
    """申请表: who, where from, what they offer, when, and their promises."""

    name: str
    mobile: str
    community_id: int
    compound_id: int | None = None
    building: str = ""
    sent_from: str = ""
    party_member: bool = False
    party_branch: str = ""
    duties: list[Duty]
    availability: list[Availability] = []
    skills: list[Skill] = []
    healthy: bool = False
    consent: bool = False

    _mobile = field_validator("mobile")(required_mobile)

    _name = field_validator("name")(text(30, required=True))
    _building = field_validator("building")(text(10))
    _text = field_validator("sent_from", "party_branch")(text(30))

    @model_validator(mode="after")
    def _complete(self):
        errors = {}
        if not self.duties:
            errors["duties"] = "errors.duties_required"
        if self.compound_id is None and not self.sent_from:
            errors["compound_id"] = "errors.where_required"
        if not self.healthy:
            errors["healthy"] = "errors.health_required"
        if not self.consent:
            errors["consent"] = "errors.consent_required"
        if errors:
            raise InvalidInput(errors)
        return self


@dataclass(frozen=True)
class ApplicationView:
    id: int
    name: str
    mobile: str
    place: str
    party: str  # the branch, "" if not a party member, "-" if a member without branch
    duties: list[str]
    availability: list[str]
    skills: list[str]
    applied_at: str
    status: str
    decline_reason: str


def _split(value: str) -> list[str]:
    return [v for v in value.split(",") if v]


def _view(session: Session, app: Application, user: User) -> ApplicationView:
    compound = session.get(Compound, app.compound_id) if app.compound_id else None
    place = f"{compound.name} {app.building}".strip() if compound else app.sent_from
    return ApplicationView(
        id=saved_id(app),
        name=user.name,
        mobile=mask_mobile(user.mobile),
        place=place,
        party=(app.party_branch or "-") if app.party_member else "",
        duties=_split(app.granted_duties or app.duties),
        availability=_split(app.availability),
        skills=_split(app.skills),
        applied_at=format_local(app.created_at),
        status=app.status.value,
        decline_reason=app.decline_reason,
    )


def _latest(session: Session, user_id: int) -> Application | None:
    return session.exec(
        select(Application)
        .where(Application.user_id == user_id)
        .order_by(col(Application.created_at).desc(), col(Application.id).desc())
    ).first()


def apply(session: Session, actor: User | None, data: dict, client: str = "") -> Application:
    """Sign up. Without an account the form also sets a password and creates one (`client`,
    the address it came from, is limited like a resident's sign-up); a logged-in resident
    applies with the account they have."""
    form = parse(SignUp, data)
    community = session.get(Community, form.community_id)
    if community is None:
        raise InvalidInput({"community_id": "errors.missing"})
    if form.compound_id is not None:
        compound = session.get(Compound, form.compound_id)
        if compound is None or compound.community_id != community.id:
            raise InvalidInput({"compound_id": "errors.missing"})
    if actor is None:
        try:
            password = check_password(str(data.get("password", "")))
        except PydanticCustomError:
            raise InvalidInput({"password": "errors.password_weak"}) from None
        ensure_signup_mobile_free(session, form.mobile, client, "errors.mobile_taken_login")
        actor = User(
            mobile=form.mobile,
            name=form.name,
            password_hash=hash_password(password),
            role=Role.APPLICANT,
            community_id=community.id,
            street_id=community.street_id,
        )
        session.add(actor)
        session.flush()
    else:
        actor = require_role(actor, Role.APPLICANT, Role.RESIDENT)
        latest = _latest(session, saved_id(actor))
        if latest is not None and latest.status != ApplicationStatus.DECLINED:
            raise ServiceError(f"errors.application_{latest.status.value}")
    application = Application(
        user_id=saved_id(actor),
        community_id=saved_id(community),
        compound_id=form.compound_id,
        building=form.building,
        sent_from=form.sent_from,
        party_member=form.party_member,
        party_branch=form.party_branch if form.party_member else "",
        duties=",".join(form.duties),
        availability=",".join(form.availability),
        skills=",".join(form.skills),
        healthy=form.healthy,
        consented_at=utcnow(),
    )
    session.add(application)
    session.commit()
    return application


def my_application(session: Session, actor: User | None) -> ApplicationView | None:
    """The applicant's latest application and its state (with the reason, if declined)."""
    actor = require_role(actor, *Role)
    latest = _latest(session, saved_id(actor))
    return None if latest is None else _view(session, latest, actor)


def pending_applications(
    session: Session, actor: User | None, community_id: int
) -> list[ApplicationView]:
    """The approval queue, oldest first."""
    actor = require_role(actor, *STAFF_ROLES)
    require_community(session, actor, community_id)
    rows = session.exec(
        select(Application, User)
        .join(User, col(User.id) == Application.user_id)
        .where(
            Application.community_id == community_id,
            Application.status == ApplicationStatus.PENDING,
        )
        .order_by(col(Application.created_at), col(Application.id))
    ).all()
    return [_view(session, app, user) for app, user in rows]


class Approval(BaseModel):
    """通过一份申请: the duties granted (those offered, fewer, or others) and the grid the
    volunteer will work in, so they find their doors on their first day."""

    duties: list[Duty] = []
    grid_id: int | None = None

    @model_validator(mode="after")
    def _some_duty(self):
        if not self.duties:
            raise InvalidInput({"duties": "errors.grant_required"})
        return self


def _application(session: Session, actor: User, application_id: int) -> Application:
    application = session.get(Application, application_id)
    if application is None:
        raise ServiceError("errors.not_found")
    require_community(session, actor, application.community_id)
    return application


def _settle(session: Session, actor: User, application: Application, **values) -> None:
    """Decide one pending application. The status check and the change are one statement:
    two staff pressing at once cannot both decide it; the later one is told who did."""
    changed = session.exec(
        update(Application)
        .where(
            col(Application.id) == application.id,
            col(Application.status) == ApplicationStatus.PENDING,
        )
        .values(decided_by=actor.id, decided_at=utcnow(), **values)
    ).rowcount
    if changed != 1:
        session.rollback()
        session.refresh(application)
        decider = session.get(User, application.decided_by)
        raise ServiceError("errors.already_decided", name=decider.name if decider else "")


def _make_volunteer(session: Session, application: Application, grid_id: int | None) -> None:
    applicant = session.get_one(User, application.user_id)
    if applicant.role in BECOMES_VOLUNTEER:
        applicant.role = Role.VOLUNTEER
        applicant.community_id = application.community_id
    if applicant.role == Role.VOLUNTEER and grid_id is not None:
        applicant.grid_id = grid_id
    session.add(applicant)


def decide(
    session: Session,
    actor: User | None,
    application_ids: list[int],
    approve: bool,
    reason: str = "",
) -> int:
    """Approve (granting what each offered) or decline applications, all or none."""
    actor = require_role(actor, *STAFF_ROLES)
    reason = reason.strip()
    if not approve and not reason:
        raise InvalidInput({"reason": "errors.reason_required"})
    if len(reason) > 200:  # refused, not cut: the applicant would read half a sentence
        raise InvalidInput({"reason": "errors.too_long"}, {"reason": {"max": 200}})
    if not application_ids:
        raise InvalidInput({"_": "errors.nothing_chosen"})
    for application_id in application_ids:
        application = _application(session, actor, application_id)
        if approve:
            _settle(
                session,
                actor,
                application,
                status=ApplicationStatus.APPROVED,
                granted_duties=application.duties,
            )
            _make_volunteer(session, application, None)
        else:
            _settle(
                session,
                actor,
                application,
                status=ApplicationStatus.DECLINED,
                decline_reason=reason,
            )
    session.commit()
    return len(application_ids)


def approve(session: Session, actor: User | None, application_id: int, data: dict) -> None:
    """Approve one application with the duties staff grant and the grid they choose."""
    actor = require_role(actor, *STAFF_ROLES)
    form = parse(Approval, data)
    application = _application(session, actor, application_id)
    check_grid(session, form.grid_id, application.community_id)
    _settle(
        session,
        actor,
        application,
        status=ApplicationStatus.APPROVED,
        granted_duties=",".join(form.duties),
    )
    _make_volunteer(session, application, form.grid_id)
    session.commit()


def list_compounds(session: Session, community_id: int) -> list[tuple[int, str]]:
    """Public: the compounds an applicant can say they live in."""
    rows = session.exec(
        select(Compound.id, Compound.name)
        .where(Compound.community_id == community_id)
        .order_by(col(Compound.id))
    )
    return [(saved_id(cid), name) for cid, name in rows]


def _community_volunteer(session: Session, actor: User | None, user_id: int) -> User:
    actor = require_role(actor, *STAFF_ROLES)
    volunteer = session.get(User, user_id)
    # A volunteer always belongs to the community that approved them.
    if volunteer is None or volunteer.role != Role.VOLUNTEER or volunteer.community_id is None:
        raise ServiceError("errors.not_found")
    require_community(session, actor, volunteer.community_id)
    return volunteer


def suspend(session: Session, actor: User | None, user_id: int) -> User:
    """Take a volunteer off duty at once: the account stops resolving, so every open session
    loses access at its next event (and the login says the account is disabled); the places
    they held on shifts not yet started are given back."""
    volunteer = _community_volunteer(session, actor, user_id)
    volunteer.is_active = False
    session.add(volunteer)
    release_future_shifts(session, saved_id(volunteer))
    session.commit()
    return volunteer


def reinstate(session: Session, actor: User | None, user_id: int) -> User:
    volunteer = _community_volunteer(session, actor, user_id)
    volunteer.is_active = True
    session.add(volunteer)
    session.commit()
    return volunteer


# ---------------------------------------------------------------- teams, for other domains


def team_ids_of(user_id: int | None) -> SelectOfScalar[int]:
    """The ids of the teams a user is a member of, as a select: usable as a subquery
    (`col(x.team_id).in_(team_ids_of(user.id))`) or run on its own."""
    return select(TeamMember.team_id).where(TeamMember.user_id == user_id)


def team_names(session: Session, team_ids: Iterable[int]) -> dict[int, str]:
    """Team id → name, for the ids given (no query for none)."""
    ids = sorted(set(team_ids))
    if not ids:
        return {}
    rows = session.exec(select(Team.id, Team.name).where(col(Team.id).in_(ids))).all()
    return {saved_id(team_id): name for team_id, name in rows}


def team_choices(session: Session, actor: User | None, community_id: int) -> list[tuple[int, str]]:
    """(id, name) of a community's teams, for staff choosing who covers something."""
    actor = require_role(actor, *STAFF_ROLES)
    require_community(session, actor, community_id)
    rows = session.exec(
        select(Team.id, Team.name).where(Team.community_id == community_id).order_by(col(Team.id))
    ).all()
    return [(saved_id(team_id), name) for team_id, name in rows]
