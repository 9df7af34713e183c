"""Teams, posts, shifts and building watchers: the volunteer roster (排班).

Staff create teams with a leader, posts (岗点) with opening hours, and shifts with a capacity,
one day or several at once. Volunteers sign up for open shifts, drop them with notice, and
check in and out; their hours come from the check-in and check-out times.

A shift never takes more volunteers than its capacity: a sign-up raises the shift's `taken`
counter in one conditional UPDATE (`... WHERE taken < capacity`), which the database runs
one at a time per row, and a check constraint refuses an overfilled row in any case."""

from app.timeutil import today_local  # the day the roster's "today" is (callers use it here)
from app.volunteers.shifts._common import (
    CHECK_IN_EARLY,
    CHECK_OUT_LATE,
    DROP_NOTICE,
    MAX_DAYS,
    STAFF_ROLES,
    TEAM_SIZE,
    local_moment,
)
from app.volunteers.shifts.duty import (
    check_in,
    check_out,
    drop_shift,
    my_duty,
    release_future_shifts,
    sign_up_shift,
)
from app.volunteers.shifts.export import export_hours
from app.volunteers.shifts.plan import NewShifts, create_shifts, roster_day
from app.volunteers.shifts.posts import NewPost, create_post, posts
from app.volunteers.shifts.teams import (
    NewTeam,
    add_member,
    community_volunteers,
    create_team,
    remove_member,
    set_leader,
    set_watcher,
    teams,
    watchers,
)
from app.volunteers.shifts.views import (
    MyDuty,
    OnDuty,
    PostDay,
    PostView,
    RosterDay,
    ShiftView,
    TeamView,
    VolunteerView,
    WatcherView,
)

__all__ = [
    "CHECK_IN_EARLY",
    "CHECK_OUT_LATE",
    "DROP_NOTICE",
    "MAX_DAYS",
    "STAFF_ROLES",
    "TEAM_SIZE",
    "MyDuty",
    "NewPost",
    "NewShifts",
    "NewTeam",
    "OnDuty",
    "PostDay",
    "PostView",
    "RosterDay",
    "ShiftView",
    "TeamView",
    "VolunteerView",
    "WatcherView",
    "add_member",
    "check_in",
    "check_out",
    "community_volunteers",
    "create_post",
    "create_shifts",
    "create_team",
    "drop_shift",
    "export_hours",
    "local_moment",
    "my_duty",
    "posts",
    "release_future_shifts",
    "remove_member",
    "roster_day",
    "set_leader",
    "set_watcher",
    "sign_up_shift",
    "teams",
    "today_local",
    "watchers",
]
