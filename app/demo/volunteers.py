"""The demo's volunteer roster (排班): posts, a week of shifts, a team and watchers."""

from datetime import time, timedelta

from sqlmodel import Session, col, select

from app.accounts.models import User
from app.community.models import Building, Community, Compound
from app.db import saved_id
from app.timeutil import today_local
from app.volunteers.models import Post, PostKind, Shift, ShiftSignup, Team, TeamMember, Watcher
from app.volunteers.shifts import local_moment


def _add_rosters(session: Session, community: Community, volunteers: list[User]) -> None:
    """Posts at the gates and the supply point, shifts for this week (from today, so they are
    never in the past when the demo is shown), a team of three with a leader, a few building
    watchers, and some shifts already taken."""
    compounds = session.exec(
        select(Compound).where(Compound.community_id == community.id).order_by(col(Compound.id))
    ).all()
    posts = [
        (
            Post(
                community_id=saved_id(community),
                name=f"{compounds[0].name}东门",
                kind=PostKind.GATE,
                place=compounds[0].address,
                opens=time(6),
                closes=time(22),
            ),
            ((8, 12), (12, 16), (16, 20)),
            2,
        ),
        (
            Post(
                community_id=saved_id(community),
                name=f"{compounds[1].name}北门",
                kind=PostKind.CHECKPOINT,
                place=compounds[1].address,
                opens=time(6),
                closes=time(22),
            ),
            ((8, 12), (12, 16), (16, 20)),
            2,
        ),
        (
            Post(
                community_id=saved_id(community),
                name="物资发放点",
                kind=PostKind.SUPPLIES,
                place=compounds[0].name,
                opens=time(8),
                closes=time(20),
            ),
            ((9, 12), (14, 17)),
            3,
        ),
    ]
    session.add_all(post for post, _, _ in posts)
    session.flush()
    today = today_local()
    shifts: list[Shift] = []
    for post, hours, capacity in posts:
        for offset in range(7):
            day = today + timedelta(days=offset)
            for start, end in hours:
                shifts.append(
                    Shift(
                        post_id=post.id,
                        community_id=saved_id(community),
                        starts_at=local_moment(day, time(start)),
                        ends_at=local_moment(day, time(end)),
                        capacity=capacity,
                    )
                )
    session.add_all(shifts)
    session.flush()
    # Tomorrow's first gate shift (8–12) and the afternoon supply shift are partly taken.
    tomorrow_gate, tomorrow_supplies = shifts[3], shifts[2 * 21 + 2 + 1]
    for shift, people in ((tomorrow_gate, volunteers[:1]), (tomorrow_supplies, volunteers[1:3])):
        session.add_all(ShiftSignup(shift_id=saved_id(shift), user_id=saved_id(v)) for v in people)
        shift.taken = len(people)
        session.add(shift)
    team = Team(
        community_id=saved_id(community),
        name="第一小队",
        leader_id=volunteers[0].id,
        grid_id=volunteers[0].grid_id,
    )
    session.add(team)
    session.flush()
    session.add_all(TeamMember(team_id=saved_id(team), user_id=saved_id(v)) for v in volunteers[:3])
    for volunteer, compound in zip(volunteers[:3], compounds, strict=False):
        building_id = session.exec(
            select(Building.id)
            .where(Building.compound_id == compound.id)
            .order_by(col(Building.id))
        ).first()
        session.add(
            Watcher(
                building_id=saved_id(building_id),
                user_id=saved_id(volunteer),
                community_id=saved_id(community),
            )
        )
