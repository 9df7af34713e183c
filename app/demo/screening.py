"""The demo's screening round (排查), recorded through the screening service."""

import random
from datetime import datetime, time, timedelta

from sqlmodel import Session, col, select

from app.accounts.models import Role, User
from app.community.models import Community, Compound, Household, Resident
from app.db import saved_id
from app.screening import service as screening
from app.timeutil import to_local, today_local, utcnow

QUARANTINED_RESIDENT = "13700000002"


def _screening_round(session: Session, community: Community, rng: random.Random) -> None:
    """A round under way since yesterday: some compounds nearly done, one lagging; a few doors
    not at home, a traveller in home quarantine, a fever referral. Recorded through the
    screening service, as volunteers would."""

    staff = session.exec(
        select(User).where(User.community_id == community.id, User.role == Role.STAFF)
    ).first()
    today = today_local()
    round_ = screening.start_round(
        session,
        staff,
        saved_id(community),
        {
            "name": "第三轮全员排查",
            "starts_on": today - timedelta(days=1),
            "ends_on": today + timedelta(days=1),
        },
    )
    # Highlight compounds under 20% from the round's first morning, whatever the hour now.
    morning = datetime.combine(today - timedelta(days=1), time(8), tzinfo=to_local(utcnow()).tzinfo)
    screening.set_weak_threshold(
        session, staff, saved_id(round_), {"weak_below": 20, "weak_from": morning}
    )
    now = utcnow()
    compounds = session.exec(
        select(Compound.id).where(Compound.community_id == community.id).order_by(col(Compound.id))
    ).all()
    # A resident login whose family is in home quarantine, so 健康打卡 can be tried at once.
    quarantined = session.exec(
        select(User.household_id).where(User.mobile == QUARANTINED_RESIDENT)
    ).one()
    shares = [0.35, 0.3, 0.08, 0.25]  # the third compound lags: the board flags it
    for compound_id, share in zip(compounds, shares * len(compounds), strict=False):
        households = session.exec(
            select(Household)
            .where(Household.compound_id == compound_id)
            .order_by(col(Household.id))
        ).all()
        for household in households[: int(len(households) * share)]:
            if household.id == quarantined:
                continue
            members = session.exec(
                select(Resident.id).where(Resident.household_id == household.id)
            ).all()
            roll = rng.random()
            outcome = (
                "not_home"
                if roll < 0.1
                else "refused"
                if roll < 0.12
                else "vacant"
                if roll < 0.14
                else "visited"
            )
            people: list[dict[str, object]] = (
                [{"resident_id": m} for m in members] if outcome == "visited" else []
            )
            if people and rng.random() < 0.01:
                people[0] |= {
                    "travel": True,
                    "travel_place": "上海",
                    "travel_date": today - timedelta(days=2),
                }
            elif people and rng.random() < 0.005:
                people[0] |= {"temperature": 38.1, "symptoms": ["fever", "cough"]}
            screening.record_visit(
                session,
                staff,
                {
                    "client_id": f"demo-{round_.id}-{household.id}",
                    "round_id": round_.id,
                    "household_id": household.id,
                    "outcome": outcome if people or outcome != "visited" else "vacant",
                    "people": people,
                    "recorded_at": now - timedelta(minutes=rng.randint(5, 26 * 60)),
                },
            )
    members = session.exec(select(Resident.id).where(Resident.household_id == quarantined)).all()
    traveller = {"travel": True, "travel_place": "上海", "travel_date": today - timedelta(days=2)}
    screening.record_visit(
        session,
        staff,
        {
            "client_id": f"demo-{round_.id}-{quarantined}",
            "round_id": round_.id,
            "household_id": quarantined,
            "outcome": "visited",
            "people": [{"resident_id": members[0]} | traveller]
            + [{"resident_id": m} for m in members[1:]],
            "recorded_at": now - timedelta(hours=20),
        },
    )
