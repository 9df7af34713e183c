"""Volunteers' hours and activity as a spreadsheet."""

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from io import BytesIO
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from app import spreadsheets
from app.accounts.models import User
from app.timeutil import to_local, utcnow
from app.volunteers.models import Post, Shift, ShiftSignup
from app.volunteers.shifts._common import _aware, _hhmm, _staff, _worked, local_moment
from app.volunteers.shifts.teams import community_volunteers


def export_hours(
    session: Session,
    actor: User | None,
    community_id: int,
    since: date | None = None,
    until: date | None = None,
) -> bytes:
    """Volunteers' hours (one row each) and activity (one row per shift taken) as .xlsx, for
    recognition and for the street."""
    from openpyxl import Workbook

    _staff(session, actor, community_id)
    start = local_moment(since, time(0)) if since else datetime(2000, 1, 1, tzinfo=ZoneInfo("UTC"))
    end = (
        local_moment(until + timedelta(days=1), time(0))
        if until
        else utcnow() + timedelta(days=366)
    )
    now = utcnow()
    volunteers = community_volunteers(session, actor, community_id)
    rows = session.exec(
        select(ShiftSignup, Shift, Post.name, User.name)
        .join(Shift, col(Shift.id) == ShiftSignup.shift_id)
        .join(Post, col(Post.id) == Shift.post_id)
        .join(User, col(User.id) == ShiftSignup.user_id)
        .where(Shift.community_id == community_id, Shift.starts_at >= start, Shift.starts_at < end)
        .order_by(col(Shift.starts_at), col(Post.id), col(User.id))
    ).all()
    per_user: dict[int, list[float]] = defaultdict(lambda: [0, 0, 0.0])
    activity = []
    for signup, shift, post_name, user_name in rows:
        worked = _worked(signup, shift, now).total_seconds() / 3600
        totals = per_user[signup.user_id]
        totals[0] += 1
        totals[1] += signup.checked_in_at is not None
        totals[2] += worked
        activity.append(
            (
                to_local(_aware(shift.starts_at)).date().isoformat(),
                post_name,
                _hhmm(_aware(shift.starts_at)),
                _hhmm(_aware(shift.ends_at)),
                user_name,
                _hhmm(_aware(signup.checked_in_at)) if signup.checked_in_at else "",
                _hhmm(_aware(signup.checked_out_at)) if signup.checked_out_at else "",
                round(worked, 2),
            )
        )
    book = Workbook(write_only=True)
    summary = book.create_sheet("志愿时长")
    summary.append(
        ["姓名", "手机号", "小队", "网格", "报名班次", "到岗班次", "服务时长（小时）", "状态"]
    )
    for v in volunteers:
        shifts_taken, shifts_done, hours = per_user.get(v.id, [0, 0, 0.0])
        summary.append(
            spreadsheets.row(
                summary,
                [
                    v.name,
                    v.mobile,
                    v.team,
                    v.grid,
                    shifts_taken,
                    shifts_done,
                    round(hours, 2),
                    "暂停" if v.suspended else "在岗",
                ],
            )
        )
    detail = book.create_sheet("值班记录")
    detail.append(["日期", "岗点", "开始", "结束", "志愿者", "签到", "签退", "时长（小时）"])
    for row in activity:
        detail.append(spreadsheets.row(detail, row))
    out = BytesIO()
    book.save(out)
    return out.getvalue()
