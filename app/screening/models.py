"""Door-to-door screening (入户排查): rounds, door visits, health checks per person, phone
follow-ups, returning residents (四问四登记) and home-quarantine follow-up plans."""

from datetime import date, datetime
from enum import IntEnum, StrEnum

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.db import enum_column
from app.timeutil import utcnow


class RoundKind(StrEnum):
    FULL = "full"  # 全面排查: every door in scope
    TARGETED = "targeted"  # 重点排查: e.g. the buildings around a case


class Outcome(StrEnum):
    """How a door ends a visit. Every door ends a round in one of these."""

    VISITED = "visited"  # 已排查
    NOT_HOME = "not_home"  # 不在家 → phone follow-up and a revisit
    REFUSED = "refused"  # 拒绝
    VACANT = "vacant"  # 空置


# A door with one of these is done for the round; not at home still needs someone.
FINAL_OUTCOMES = (Outcome.VISITED, Outcome.REFUSED, Outcome.VACANT)


class Risk(IntEnum):
    """What the answers mean, in rising order; a household takes its highest member's.
    Stored as its number, so the highest is a plain max()."""

    NORMAL = 0
    WATCH = 1  # 观察
    QUARANTINE = 2  # 居家隔离
    CLINIC = 3  # 转诊发热门诊


class HealthCode(StrEnum):
    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"


class TestStatus(StrEnum):
    NEGATIVE = "negative"
    PENDING = "pending"
    POSITIVE = "positive"
    NOT_TESTED = "not_tested"


class Symptom(StrEnum):
    FEVER = "fever"
    COUGH = "cough"
    FATIGUE = "fatigue"
    SORE_THROAT = "sore_throat"
    TASTE_SMELL = "taste_smell"
    OTHER = "other"


class Transport(StrEnum):
    TRAIN = "train"
    CAR = "car"
    PLANE = "plane"
    BUS = "bus"
    OTHER = "other"


class FollowUpStatus(StrEnum):
    OPEN = "open"
    ESCALATED = "escalated"  # too many failed calls: staff take it
    DONE = "done"


class PlanStatus(StrEnum):
    ACTIVE = "active"
    RELEASED = "released"


class Rules(SQLModel, table=True):
    """研判规则: how a community turns answers into a risk level, and its thresholds.
    Staff edit them; a community without a row uses the defaults below."""

    community_id: int = Field(primary_key=True, foreign_key="community.id")
    fever_from: float = 37.3
    on_fever: int = Risk.CLINIC.value
    on_symptoms: int = Risk.WATCH.value
    on_travel: int = Risk.QUARANTINE.value
    on_yellow_code: int = Risk.QUARANTINE.value
    on_red_code: int = Risk.CLINIC.value
    on_positive_test: int = Risk.CLINIC.value
    quarantine_days: int = 14
    call_attempts: int = 3  # failed calls before a follow-up escalates to staff
    updated_by: int | None = Field(default=None, foreign_key="user.id")
    updated_at: datetime = Field(default_factory=utcnow)


class Round(SQLModel, table=True):
    """排查轮次: a sweep of every door in its scope between two dates."""

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    name: str = Field(max_length=50)
    kind: RoundKind = Field(sa_type=enum_column(RoundKind))
    starts_on: date
    ends_on: date
    # Compounds below this share of doors done, once `weak_from` has passed, are highlighted.
    weak_below: int = 60
    weak_from: datetime | None = None
    created_by: int = Field(foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow)
    closed_at: datetime | None = None


class RoundBuilding(SQLModel, table=True):
    """A building in a round's scope and who covers it: a volunteer, or a team, or else the
    volunteers of the building's grid."""

    __table_args__ = (UniqueConstraint("round_id", "building_id"),)

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="round.id", index=True)
    building_id: int = Field(foreign_key="building.id", index=True)
    compound_id: int = Field(foreign_key="compound.id")
    doors: int  # households in the building when the round started
    assignee_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    team_id: int | None = Field(default=None, foreign_key="team.id", index=True)


class Visit(SQLModel, table=True):
    """入户记录: one visit to one door. Never edited: a revisit is a new record."""

    __table_args__ = (Index("ix_visit_round_household", "round_id", "household_id"),)

    id: int | None = Field(default=None, primary_key=True)
    # Made by the phone, so a resend (or an offline sync) never stores a record twice.
    client_id: str = Field(max_length=40, unique=True)
    round_id: int = Field(foreign_key="round.id")
    household_id: int = Field(foreign_key="household.id", index=True)
    building_id: int = Field(foreign_key="building.id")
    outcome: Outcome = Field(sa_type=enum_column(Outcome))
    by_phone: bool = False  # reached on a follow-up call instead of at the door
    risk: int = Risk.NORMAL.value
    note: str = Field(default="", max_length=200)
    recorded_by: int = Field(foreign_key="user.id", index=True)
    recorded_at: datetime  # when the volunteer saved it on the phone
    received_at: datetime = Field(default_factory=utcnow, index=True)


class PersonCheck(SQLModel, table=True):
    """One person's answers at a visit."""

    id: int | None = Field(default=None, primary_key=True)
    visit_id: int = Field(foreign_key="visit.id", index=True)
    resident_id: int = Field(foreign_key="resident.id", index=True)
    temperature: float | None = None
    symptoms: str = Field(default="", max_length=100)  # comma-separated Symptom values
    symptom_note: str = Field(default="", max_length=100)
    travel: bool = False  # travel to or contact with an outbreak area
    travel_place: str = Field(default="", max_length=60)
    travel_date: date | None = None
    health_code: HealthCode = Field(default=HealthCode.GREEN, sa_type=enum_column(HealthCode))
    test_status: TestStatus = Field(default=TestStatus.NEGATIVE, sa_type=enum_column(TestStatus))
    risk: int = Risk.NORMAL.value


class RoundDoor(SQLModel, table=True):
    """A door's state in a round, kept up to date with each visit so the coverage board
    reads one row per door instead of every record."""

    # The table kept its first name: renaming the class needs no migration.
    __tablename__ = "door"  # type: ignore[assignment]  # sqlmodel types it declared_attr
    __table_args__ = (Index("ix_door_round_building", "round_id", "building_id"),)

    round_id: int = Field(primary_key=True, foreign_key="round.id")
    household_id: int = Field(primary_key=True, foreign_key="household.id")
    building_id: int = Field(foreign_key="building.id")
    outcome: Outcome = Field(sa_type=enum_column(Outcome))
    risk: int = Risk.NORMAL.value
    visits: int = 1
    last_by: int = Field(foreign_key="user.id")
    last_at: datetime
    done_day: date | None = None  # the local day the door was first finished: the progress chart
    # Two volunteers recorded a finished state for this door: both records are kept and
    # staff look at it.
    conflict: bool = False


class FollowUp(SQLModel, table=True):
    """电话追访: a household not at home, to call until reached or revisited."""

    __table_args__ = (UniqueConstraint("round_id", "household_id"),)

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="round.id")
    household_id: int = Field(foreign_key="household.id")
    community_id: int = Field(foreign_key="community.id", index=True)
    status: FollowUpStatus = Field(
        default=FollowUpStatus.OPEN, sa_type=enum_column(FollowUpStatus), index=True
    )
    failed_calls: int = 0
    revisit_on: date | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class CallAttempt(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    follow_up_id: int = Field(foreign_key="followup.id", index=True)
    reached: bool
    note: str = Field(default="", max_length=100)
    called_by: int = Field(foreign_key="user.id")
    called_at: datetime = Field(default_factory=utcnow)


class Arrival(SQLModel, table=True):
    """返乡登记 (四问四登记): from where, when, how, and health now."""

    id: int | None = Field(default=None, primary_key=True)
    client_id: str = Field(max_length=40, unique=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    household_id: int = Field(foreign_key="household.id", index=True)
    resident_id: int = Field(foreign_key="resident.id")
    from_place: str = Field(max_length=60)
    from_risk_area: bool = False
    arrived_on: date
    transport: Transport = Field(sa_type=enum_column(Transport))
    transport_no: str = Field(default="", max_length=20)  # train, flight or plate number
    symptoms: str = Field(default="", max_length=100)
    temperature: float | None = None
    at_gate: bool = False  # registered at the compound gate, not at the door
    risk: int = Risk.NORMAL.value
    recorded_by: int = Field(foreign_key="user.id")
    recorded_at: datetime = Field(default_factory=utcnow, index=True)


class QuarantinePlan(SQLModel, table=True):
    """居家隔离 with point-to-point follow-up: one check a day until release."""

    id: int | None = Field(default=None, primary_key=True)
    resident_id: int = Field(foreign_key="resident.id", index=True)
    household_id: int = Field(foreign_key="household.id", index=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    reason: str = Field(max_length=100)
    starts_on: date
    days: int
    status: PlanStatus = Field(
        default=PlanStatus.ACTIVE, sa_type=enum_column(PlanStatus), index=True
    )
    created_by: int = Field(foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow)
    released_by: int | None = Field(default=None, foreign_key="user.id")
    released_at: datetime | None = None
    release_note: str = Field(default="", max_length=200)


class DailyCheck(SQLModel, table=True):
    """A day's check of a person in home quarantine, by a volunteer or self-reported."""

    __table_args__ = (UniqueConstraint("plan_id", "day"),)

    id: int | None = Field(default=None, primary_key=True)
    client_id: str = Field(max_length=40, unique=True)
    plan_id: int = Field(foreign_key="quarantineplan.id", index=True)
    day: date
    temperature: float
    symptoms: str = Field(default="", max_length=100)
    self_reported: bool = False
    recorded_by: int = Field(foreign_key="user.id")
    recorded_at: datetime = Field(default_factory=utcnow)
