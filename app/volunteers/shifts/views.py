"""What the roster's reads return: plain values for states and exports."""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class PostView:
    id: int
    name: str
    kind: str
    place: str
    hours: str  # "08:00–20:00"


@dataclass(frozen=True)
class ShiftView:
    id: int
    post_id: int
    post: str
    day: str  # local date, ISO
    starts: str  # local "HH:MM"
    ends: str
    capacity: int
    taken: int
    names: list[str] = field(default_factory=list)
    on_duty: list[str] = field(default_factory=list)
    checked_in: bool = False  # the asking volunteer's own check-in (my-duty views)
    checked_out: bool = False


@dataclass(frozen=True)
class PostDay:
    post: PostView
    shifts: list[ShiftView]


@dataclass(frozen=True)
class OnDuty:
    name: str
    post: str
    since: str


@dataclass(frozen=True)
class RosterDay:
    day: str
    posts: list[PostDay]
    unfilled: int  # shifts of the day with places left
    on_duty: list[OnDuty]  # checked in now, anywhere in the community


@dataclass(frozen=True)
class TeamView:
    id: int
    name: str
    leader_id: int | None
    leader: str
    grid: str
    buildings: list[str]
    members: list[tuple[int, str]]  # (user id, name)


@dataclass(frozen=True)
class VolunteerView:
    id: int
    name: str
    mobile: str
    team: str
    grid: str
    suspended: bool
    hours: float


@dataclass(frozen=True)
class WatcherView:
    building_id: int
    building: str  # "望江花园 3栋"
    user_id: int | None
    name: str


@dataclass(frozen=True)
class MyDuty:
    team: str
    leader: str
    teammates: list[str]
    grid: str
    duties: list[str]
    watching: list[str]
    current: ShiftView | None  # the shift to check in or out of now
    upcoming: list[ShiftView]
    open_shifts: list[ShiftView]
    hours: float
