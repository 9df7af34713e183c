"""The permission matrix: every service operation × every role → allowed or refused.

Each row calls the real service with each role's user (and with nobody); "allowed" means the
call got past its permission checks, "refused" means it raised Forbidden. A second test
makes sure no service operation that takes an actor is missing from the matrix."""

import inspect
import itertools
import uuid
from collections.abc import Callable
from datetime import time, timedelta

import pytest
from sqlmodel import select

from app.accounts import service as accounts
from app.accounts.models import Role
from app.community import register_io
from app.community import service as community
from app.community.models import Resident
from app.errors import Forbidden
from app.screening import service as screening
from app.screening.models import FollowUp, QuarantinePlan
from app.supplies import service as supplies
from app.testing import models as testing_models
from app.testing import service as testing
from app.timeutil import today_local, utcnow
from app.volunteers import service as volunteers
from app.volunteers import shifts as rosters
from app.volunteers.models import Post, PostKind, Shift, ShiftSignup, Team, TeamMember
from tests.conftest import add_user

ROLES = ("anonymous", "resident", "volunteer", "staff", "street_staff", "admin")
SERVICE_MODULES = {
    "accounts": accounts,
    "community": community,
    "register_io": register_io,
    "screening": screening,
    "supplies": supplies,
    "testing": testing,
    "volunteers": volunteers,
    "rosters": rosters,
}

Y, N = True, False
# Nucleic-acid testing: the community's volunteers and staff at sites and doors; the office
# above reads too.
T_FIELD = dict(anonymous=N, resident=N, volunteer=Y, staff=Y, street_staff=N, admin=N)
T_READ = dict(anonymous=N, resident=N, volunteer=Y, staff=Y, street_staff=Y, admin=Y)
# Volunteer rosters (issue 6): staff run them; volunteers take shifts.
STAFF_ONLY = dict(anonymous=N, resident=N, volunteer=N, staff=Y, street_staff=Y, admin=Y)
VOLUNTEER_ONLY = dict(anonymous=N, resident=N, volunteer=Y, staff=N, street_staff=N, admin=N)
_mobiles = itertools.count(13500000000)


def _fresh_mobile() -> str:
    """Allowed calls commit, so each account created here needs a number of its own."""
    return str(next(_mobiles))


# operation: (call(db, actor, world), {role: allowed})
MATRIX: dict[str, tuple[Callable, dict[str, bool]]] = {
    "accounts.create_account/volunteer": (
        lambda db, actor, w: accounts.create_account(
            db,
            actor,
            {
                "name": "新志愿者",
                "mobile": _fresh_mobile(),
                "password": "Abc12345",
                "role": "volunteer",
                "community_id": w.community.id,
            },
        ),
        dict(anonymous=N, resident=N, volunteer=N, staff=Y, street_staff=N, admin=Y),
    ),
    "accounts.create_account/staff": (
        lambda db, actor, w: accounts.create_account(
            db,
            actor,
            {
                "name": "新同事",
                "mobile": _fresh_mobile(),
                "password": "Abc12345",
                "role": "staff",
                "community_id": w.community.id,
            },
        ),
        dict(anonymous=N, resident=N, volunteer=N, staff=Y, street_staff=Y, admin=Y),
    ),
    "accounts.create_account/street_staff": (
        lambda db, actor, w: accounts.create_account(
            db,
            actor,
            {
                "name": "街道干部",
                "mobile": _fresh_mobile(),
                "password": "Abc12345",
                "role": "street_staff",
                "street_id": w.street.id,
            },
        ),
        dict(anonymous=N, resident=N, volunteer=N, staff=N, street_staff=Y, admin=Y),
    ),
    "accounts.pending_residents": (
        lambda db, actor, w: accounts.pending_residents(db, actor, w.community.id),
        dict(anonymous=N, resident=N, volunteer=N, staff=Y, street_staff=Y, admin=Y),
    ),
    "accounts.find_household": (
        lambda db, actor, w: accounts.find_household(db, actor, w.community.id, "3-2-501"),
        dict(anonymous=N, resident=N, volunteer=N, staff=Y, street_staff=Y, admin=Y),
    ),
    "accounts.link_household": (
        lambda db, actor, w: accounts.link_household(db, actor, w.resident.id, w.household.id),
        dict(anonymous=N, resident=N, volunteer=N, staff=Y, street_staff=Y, admin=Y),
    ),
    "accounts.set_locale": (
        lambda db, actor, w: accounts.set_locale(db, actor, "en"),
        dict(anonymous=N, resident=Y, volunteer=Y, staff=Y, street_staff=Y, admin=Y),
    ),
    "community.community_counts": (
        lambda db, actor, w: community.community_counts(db, actor, w.community.id),
        dict(anonymous=N, resident=N, volunteer=Y, staff=Y, street_staff=Y, admin=Y),
    ),
    "community.street_overview": (
        lambda db, actor, w: community.street_overview(db, actor),
        dict(anonymous=N, resident=N, volunteer=N, staff=N, street_staff=Y, admin=Y),
    ),
    "community.household_file": (
        lambda db, actor, w: community.household_file(db, actor, w.household.id),
        dict(anonymous=N, resident=Y, volunteer=Y, staff=Y, street_staff=Y, admin=Y),
    ),
    "community.search": (
        lambda db, actor, w: community.search(db, actor, "罗"),
        dict(anonymous=N, resident=N, volunteer=Y, staff=Y, street_staff=Y, admin=Y),
    ),
    "community.reveal/mobile": (
        lambda db, actor, w: community.reveal(db, actor, _member(db, w), "mobile"),
        dict(anonymous=N, resident=N, volunteer=Y, staff=Y, street_staff=Y, admin=Y),
    ),
    "community.reveal/id_number": (
        lambda db, actor, w: community.reveal(db, actor, _member(db, w), "id_number"),
        dict(anonymous=N, resident=N, volunteer=N, staff=Y, street_staff=Y, admin=Y),
    ),
    "community.add_resident": (
        lambda db, actor, w: community.add_resident(
            db, actor, w.household.id, {"name": "新成员", "sex": "female"}
        ),
        dict(anonymous=N, resident=Y, volunteer=N, staff=Y, street_staff=Y, admin=Y),
    ),
    "community.update_resident": (
        lambda db, actor, w: community.update_resident(
            db, actor, _member(db, w), {"name": "罗辉", "sex": "male", "relation": "户主"}
        ),
        dict(anonymous=N, resident=Y, volunteer=N, staff=Y, street_staff=Y, admin=Y),
    ),
    "community.places": (
        lambda db, actor, w: community.places(db, actor, w.community.id),
        dict(anonymous=N, resident=N, volunteer=N, staff=Y, street_staff=Y, admin=Y),
    ),
    "community.grids": (
        lambda db, actor, w: community.grids(db, actor, w.community.id),
        dict(anonymous=N, resident=N, volunteer=N, staff=Y, street_staff=Y, admin=Y),
    ),
    "community.add_compound": (
        lambda db, actor, w: community.add_compound(
            db, actor, w.community.id, {"name": f"新小区{_fresh_mobile()}"}
        ),
        dict(anonymous=N, resident=N, volunteer=N, staff=Y, street_staff=Y, admin=Y),
    ),
    "community.add_building": (
        lambda db, actor, w: community.add_building(
            db, actor, {"compound_id": w.household.compound_id, "number": _fresh_mobile()[-6:]}
        ),
        dict(anonymous=N, resident=N, volunteer=N, staff=Y, street_staff=Y, admin=Y),
    ),
    "community.add_grid": (
        lambda db, actor, w: community.add_grid(
            db, actor, w.community.id, {"name": f"网格{_fresh_mobile()}"}
        ),
        dict(anonymous=N, resident=N, volunteer=N, staff=Y, street_staff=Y, admin=Y),
    ),
    "community.assign_building": (
        lambda db, actor, w: community.assign_building(db, actor, w.outside.building_id, w.grid.id),
        dict(anonymous=N, resident=N, volunteer=N, staff=Y, street_staff=Y, admin=Y),
    ),
    "community.grid_volunteers": (
        lambda db, actor, w: community.grid_volunteers(db, actor, w.community.id),
        dict(anonymous=N, resident=N, volunteer=N, staff=Y, street_staff=Y, admin=Y),
    ),
    "community.assign_volunteer_grid": (
        lambda db, actor, w: community.assign_volunteer_grid(db, actor, w.volunteer.id, w.grid.id),
        dict(anonymous=N, resident=N, volunteer=N, staff=Y, street_staff=Y, admin=Y),
    ),
    "register_io.plan_import": (
        lambda db, actor, w: register_io.plan_import(db, actor, w.community.id, _table(), MAPPING),
        dict(anonymous=N, resident=N, volunteer=N, staff=Y, street_staff=Y, admin=Y),
    ),
    "register_io.import_roster": (
        lambda db, actor, w: register_io.import_roster(
            db, actor, w.community.id, _table(), MAPPING
        ),
        dict(anonymous=N, resident=N, volunteer=N, staff=Y, street_staff=Y, admin=Y),
    ),
    "register_io.export_roster": (
        lambda db, actor, w: register_io.export_roster(db, actor, w.community.id),
        dict(anonymous=N, resident=N, volunteer=N, staff=Y, street_staff=Y, admin=Y),
    ),
    "volunteers.apply": (
        lambda db, actor, w: volunteers.apply(db, actor, _sign_up(w)),
        dict(anonymous=Y, resident=Y, volunteer=N, staff=N, street_staff=N, admin=N),
    ),
    "volunteers.my_application": (
        lambda db, actor, w: volunteers.my_application(db, actor),
        dict(anonymous=N, resident=Y, volunteer=Y, staff=Y, street_staff=Y, admin=Y),
    ),
    "volunteers.pending_applications": (
        lambda db, actor, w: volunteers.pending_applications(db, actor, w.community.id),
        dict(anonymous=N, resident=N, volunteer=N, staff=Y, street_staff=Y, admin=Y),
    ),
    "volunteers.decide": (
        lambda db, actor, w: volunteers.decide(
            db, actor, [volunteers.apply(db, None, _sign_up(w)).id], approve=True
        ),
        dict(anonymous=N, resident=N, volunteer=N, staff=Y, street_staff=Y, admin=Y),
    ),
    "volunteers.approve": (
        lambda db, actor, w: volunteers.approve(
            db,
            actor,
            volunteers.apply(db, None, _sign_up(w)).id,
            {"duties": ["screener"], "grid_id": w.grid.id},
        ),
        dict(anonymous=N, resident=N, volunteer=N, staff=Y, street_staff=Y, admin=Y),
    ),
    "community.audit_log": (
        lambda db, actor, w: community.audit_log(db, actor, w.community.id),
        dict(anonymous=N, resident=N, volunteer=N, staff=Y, street_staff=Y, admin=Y),
    ),
    "screening.rules": (
        lambda db, actor, w: screening.rules(db, actor, w.community.id),
        dict(anonymous=N, resident=N, volunteer=N, staff=Y, street_staff=Y, admin=Y),
    ),
    "screening.update_rules": (
        lambda db, actor, w: screening.update_rules(db, actor, w.community.id, RULES),
        dict(anonymous=N, resident=N, volunteer=N, staff=Y, street_staff=N, admin=N),
    ),
    "screening.start_round": (
        lambda db, actor, w: screening.start_round(db, actor, w.community.id, _round_input()),
        dict(anonymous=N, resident=N, volunteer=N, staff=Y, street_staff=N, admin=N),
    ),
    "screening.close_round": (
        lambda db, actor, w: screening.close_round(db, actor, _round(db, w)),
        dict(anonymous=N, resident=N, volunteer=N, staff=Y, street_staff=N, admin=N),
    ),
    "screening.rounds": (
        lambda db, actor, w: screening.rounds(db, actor, w.community.id),
        dict(anonymous=N, resident=N, volunteer=Y, staff=Y, street_staff=Y, admin=Y),
    ),
    "screening.assign_buildings": (
        lambda db, actor, w: screening.assign_buildings(
            db, actor, _round(db, w), [w.household.building_id], w.volunteer.id
        ),
        dict(anonymous=N, resident=N, volunteer=N, staff=Y, street_staff=N, admin=N),
    ),
    "screening.set_weak_threshold": (
        lambda db, actor, w: screening.set_weak_threshold(
            db, actor, _round(db, w), {"weak_below": 70, "weak_from": "2026-11-23T09:00:00+08:00"}
        ),
        dict(anonymous=N, resident=N, volunteer=N, staff=Y, street_staff=N, admin=N),
    ),
    "screening.coverage": (
        lambda db, actor, w: screening.coverage(db, actor, _round(db, w)),
        dict(anonymous=N, resident=N, volunteer=N, staff=Y, street_staff=Y, admin=Y),
    ),
    "screening.building_doors": (
        lambda db, actor, w: screening.building_doors(
            db, actor, _round(db, w), w.household.building_id
        ),
        dict(anonymous=N, resident=N, volunteer=Y, staff=Y, street_staff=Y, admin=Y),
    ),
    "screening.my_buildings": (
        lambda db, actor, w: screening.my_buildings(db, actor),
        dict(anonymous=N, resident=N, volunteer=Y, staff=Y, street_staff=N, admin=N),
    ),
    "screening.visit_form": (
        lambda db, actor, w: screening.visit_form(db, actor, _round(db, w), w.household.id),
        dict(anonymous=N, resident=N, volunteer=Y, staff=Y, street_staff=N, admin=N),
    ),
    "screening.record_visit": (
        lambda db, actor, w: screening.record_visit(db, actor, _visit(db, w, "vacant")),
        dict(anonymous=N, resident=N, volunteer=Y, staff=Y, street_staff=N, admin=N),
    ),
    "screening.clear_conflict": (
        lambda db, actor, w: screening.clear_conflict(db, actor, *_recorded_door(db, w)),
        dict(anonymous=N, resident=N, volunteer=N, staff=Y, street_staff=N, admin=N),
    ),
    "screening.follow_ups": (
        lambda db, actor, w: screening.follow_ups(db, actor),
        dict(anonymous=N, resident=N, volunteer=Y, staff=Y, street_staff=N, admin=N),
    ),
    "screening.record_failed_call": (
        lambda db, actor, w: screening.record_failed_call(db, actor, _follow_up(db, w)),
        dict(anonymous=N, resident=N, volunteer=Y, staff=Y, street_staff=N, admin=N),
    ),
    "screening.record_arrival": (
        lambda db, actor, w: screening.record_arrival(db, actor, _arrival(db, w)),
        dict(anonymous=N, resident=N, volunteer=Y, staff=Y, street_staff=N, admin=N),
    ),
    "screening.find_door": (
        lambda db, actor, w: screening.find_door(db, actor, w.household.compound_id, "3-2-501"),
        dict(anonymous=N, resident=N, volunteer=Y, staff=Y, street_staff=N, admin=N),
    ),
    "screening.quarantine_plans": (
        lambda db, actor, w: screening.quarantine_plans(db, actor),
        dict(anonymous=N, resident=Y, volunteer=Y, staff=Y, street_staff=N, admin=N),
    ),
    "screening.record_check": (
        lambda db, actor, w: screening.record_check(
            db, actor, _plan(db, w), {"client_id": uuid.uuid4().hex, "temperature": 36.5}
        ),
        dict(anonymous=N, resident=Y, volunteer=Y, staff=Y, street_staff=N, admin=N),
    ),
    "screening.release": (
        lambda db, actor, w: screening.release(db, actor, _plan(db, w), "提前解除：核酸阴性"),
        dict(anonymous=N, resident=N, volunteer=N, staff=Y, street_staff=N, admin=N),
    ),
    "screening.offline_package": (
        lambda db, actor, w: screening.offline_package(db, actor),
        dict(anonymous=N, resident=N, volunteer=Y, staff=Y, street_staff=N, admin=N),
    ),
    "screening.offline_version": (
        lambda db, actor, w: screening.offline_version(db, actor),
        dict(anonymous=N, resident=N, volunteer=Y, staff=Y, street_staff=N, admin=N),
    ),
    "screening.today_lists": (
        lambda db, actor, w: screening.today_lists(db, actor),
        dict(anonymous=N, resident=N, volunteer=Y, staff=Y, street_staff=N, admin=N),
    ),
    # ---------------------------------------------------------------- supplies
    "supplies.create_buy": (
        lambda db, actor, w: supplies.create_buy(db, actor, w.community.id, _sup_buy_data(w)),
        dict(anonymous=N, resident=N, volunteer=N, staff=Y, street_staff=Y, admin=Y),
    ),
    "supplies.update_item": (
        lambda db, actor, w: supplies.update_item(db, actor, _sup_item(db, w), {"stock": 50}),
        dict(anonymous=N, resident=N, volunteer=N, staff=Y, street_staff=Y, admin=Y),
    ),
    "supplies.set_buy_status/close": (
        lambda db, actor, w: supplies.set_buy_status(db, actor, _sup_buy(db, w).id, "close"),
        dict(anonymous=N, resident=N, volunteer=N, staff=Y, street_staff=Y, admin=Y),
    ),
    "supplies.set_buy_status/cancel": (
        lambda db, actor, w: supplies.set_buy_status(
            db, actor, _sup_order(db, w).buy_id, "cancel", reason="停供"
        ),
        dict(anonymous=N, resident=N, volunteer=N, staff=Y, street_staff=Y, admin=Y),
    ),
    "supplies.community_buys": (
        lambda db, actor, w: supplies.community_buys(db, actor, w.community.id),
        dict(anonymous=N, resident=N, volunteer=Y, staff=Y, street_staff=Y, admin=Y),
    ),
    "supplies.open_buys": (
        lambda db, actor, w: supplies.open_buys(db, actor),
        dict(anonymous=N, resident=Y, volunteer=N, staff=N, street_staff=N, admin=N),
    ),
    "supplies.buy_detail": (
        lambda db, actor, w: supplies.buy_detail(db, actor, _sup_buy(db, w).id),
        dict(anonymous=N, resident=Y, volunteer=Y, staff=Y, street_staff=Y, admin=Y),
    ),
    "supplies.place_order": (
        lambda db, actor, w: supplies.place_order(
            db, actor, _sup_buy(db, w).id, {_sup_item(db, w, new=False): 1}, w.household.id
        ),
        dict(anonymous=N, resident=Y, volunteer=Y, staff=Y, street_staff=Y, admin=Y),
    ),
    "supplies.cancel_order": (
        lambda db, actor, w: supplies.cancel_order(db, actor, _sup_order(db, w).id),
        dict(anonymous=N, resident=Y, volunteer=Y, staff=Y, street_staff=Y, admin=Y),
    ),
    "supplies.my_orders": (
        lambda db, actor, w: supplies.my_orders(db, actor),
        dict(anonymous=N, resident=Y, volunteer=N, staff=N, street_staff=N, admin=N),
    ),
    "supplies.order_page": (
        lambda db, actor, w: supplies.order_page(db, actor, _sup_buy(db, w).id, w.household.id),
        dict(anonymous=N, resident=Y, volunteer=Y, staff=Y, street_staff=Y, admin=Y),
    ),
    "supplies.household_at_door": (
        lambda db, actor, w: supplies.household_at_door(db, actor, _sup_buy(db, w).id, "3-2-501"),
        dict(anonymous=N, resident=N, volunteer=Y, staff=Y, street_staff=Y, admin=Y),
    ),
    "supplies.compound_choices": (
        lambda db, actor, w: supplies.compound_choices(db, actor, w.community.id),
        dict(anonymous=N, resident=N, volunteer=N, staff=Y, street_staff=Y, admin=Y),
    ),
    "supplies.deliverers": (
        lambda db, actor, w: supplies.deliverers(db, actor, w.community.id),
        dict(anonymous=N, resident=N, volunteer=N, staff=Y, street_staff=Y, admin=Y),
    ),
    "supplies.summary": (
        lambda db, actor, w: supplies.summary(db, actor, _sup_order(db, w).buy_id),
        dict(anonymous=N, resident=N, volunteer=N, staff=Y, street_staff=Y, admin=Y),
    ),
    "supplies.export_summary": (
        lambda db, actor, w: supplies.export_summary(db, actor, _sup_order(db, w).buy_id),
        dict(anonymous=N, resident=N, volunteer=N, staff=Y, street_staff=Y, admin=Y),
    ),
    "supplies.set_paid": (
        lambda db, actor, w: supplies.set_paid(db, actor, _sup_order(db, w).id, True),
        dict(anonymous=N, resident=N, volunteer=N, staff=Y, street_staff=Y, admin=Y),
    ),
    "supplies.generate_batches": (
        lambda db, actor, w: supplies.generate_batches(db, actor, _sup_closed(db, w), _SUP_PLAN),
        dict(anonymous=N, resident=N, volunteer=N, staff=Y, street_staff=Y, admin=Y),
    ),
    "supplies.calling": (
        lambda db, actor, w: supplies.calling(db, actor, _sup_arrived(db, w).buy_id),
        dict(anonymous=N, resident=N, volunteer=Y, staff=Y, street_staff=Y, admin=Y),
    ),
    "supplies.advance_call": (
        lambda db, actor, w: supplies.advance_call(db, actor, _sup_arrived(db, w).buy_id),
        dict(anonymous=N, resident=N, volunteer=N, staff=Y, street_staff=Y, admin=Y),
    ),
    "supplies.collect": (
        lambda db, actor, w: supplies.collect(db, actor, _sup_arrived(db, w).buy_id, 1),
        dict(anonymous=N, resident=N, volunteer=Y, staff=Y, street_staff=Y, admin=Y),
    ),
    "supplies.delivery_tasks": (
        lambda db, actor, w: supplies.delivery_tasks(db, actor, w.community.id),
        dict(anonymous=N, resident=N, volunteer=Y, staff=Y, street_staff=Y, admin=Y),
    ),
    "supplies.assign_delivery": (
        lambda db, actor, w: supplies.assign_delivery(
            db, actor, [_sup_arrived(db, w, delivery=True).id], w.volunteer.id
        ),
        dict(anonymous=N, resident=N, volunteer=Y, staff=Y, street_staff=Y, admin=Y),
    ),
    "supplies.mark_delivered": (
        lambda db, actor, w: supplies.mark_delivered(
            db, actor, _sup_arrived(db, w, delivery=True).id
        ),
        dict(anonymous=N, resident=N, volunteer=Y, staff=Y, street_staff=Y, admin=Y),
    ),
    "supplies.request_errand": (
        lambda db, actor, w: supplies.request_errand(db, actor, _ERRAND),
        dict(anonymous=N, resident=Y, volunteer=N, staff=N, street_staff=N, admin=N),
    ),
    "supplies.errands": (
        lambda db, actor, w: supplies.errands(db, actor),
        dict(anonymous=N, resident=Y, volunteer=Y, staff=Y, street_staff=Y, admin=Y),
    ),
    "supplies.take_errand": (
        lambda db, actor, w: supplies.take_errand(
            db, actor, supplies.request_errand(db, w.resident, _ERRAND).id
        ),
        dict(anonymous=N, resident=N, volunteer=Y, staff=Y, street_staff=Y, admin=Y),
    ),
    "supplies.finish_errand": (
        lambda db, actor, w: supplies.finish_errand(db, actor, _sup_taken_errand(db, w)),
        dict(anonymous=N, resident=N, volunteer=Y, staff=Y, street_staff=Y, admin=Y),
    ),
    "supplies.cancel_errand": (
        lambda db, actor, w: supplies.cancel_errand(
            db, actor, supplies.request_errand(db, w.resident, _ERRAND).id
        ),
        dict(anonymous=N, resident=Y, volunteer=N, staff=N, street_staff=N, admin=N),
    ),
    # ---- volunteer rosters: teams, posts, shifts, watchers, suspension (issue 6)
    "rosters.create_post": (
        lambda db, actor, w: rosters.create_post(
            db,
            actor,
            w.community.id,
            {"name": f"门岗{_fresh_mobile()}", "kind": "gate", "opens": "06:00", "closes": "22:00"},
        ),
        STAFF_ONLY,
    ),
    "rosters.posts": (
        lambda db, actor, w: rosters.posts(db, actor, w.community.id),
        STAFF_ONLY,
    ),
    "rosters.create_shifts": (
        lambda db, actor, w: rosters.create_shifts(
            db,
            actor,
            {
                "post_id": _roster_post(db, w).id,
                "first_day": rosters.today_local() + timedelta(days=1),
                "days": 2,
                "start": "08:00",
                "end": "12:00",
                "capacity": 3,
            },
        ),
        STAFF_ONLY,
    ),
    "rosters.roster_day": (
        lambda db, actor, w: rosters.roster_day(db, actor, w.community.id, rosters.today_local()),
        STAFF_ONLY,
    ),
    "rosters.sign_up_shift": (
        lambda db, actor, w: rosters.sign_up_shift(db, actor, _roster_shift(db, w).id),
        VOLUNTEER_ONLY,
    ),
    "rosters.drop_shift": (
        lambda db, actor, w: rosters.drop_shift(db, actor, _roster_shift(db, w, signed=True).id),
        VOLUNTEER_ONLY,
    ),
    "rosters.check_in": (
        lambda db, actor, w: rosters.check_in(
            db, actor, _roster_shift(db, w, starts_in=timedelta(minutes=10), signed=True).id
        ),
        VOLUNTEER_ONLY,
    ),
    "rosters.check_out": (
        lambda db, actor, w: rosters.check_out(
            db,
            actor,
            _roster_shift(db, w, starts_in=timedelta(hours=-1), signed=True, checked_in=True).id,
        ),
        VOLUNTEER_ONLY,
    ),
    "rosters.my_duty": (
        lambda db, actor, w: rosters.my_duty(db, actor),
        VOLUNTEER_ONLY,
    ),
    "rosters.create_team": (
        lambda db, actor, w: rosters.create_team(
            db, actor, w.community.id, {"name": f"小队{_fresh_mobile()}", "grid_id": w.grid.id}
        ),
        STAFF_ONLY,
    ),
    "rosters.add_member": (
        lambda db, actor, w: rosters.add_member(db, actor, _team(db, w).id, _new_volunteer(db, w)),
        STAFF_ONLY,
    ),
    "rosters.remove_member": (
        lambda db, actor, w: rosters.remove_member(db, actor, *_team_with_member(db, w)),
        STAFF_ONLY,
    ),
    "rosters.set_leader": (
        lambda db, actor, w: rosters.set_leader(db, actor, *_team_with_member(db, w)),
        STAFF_ONLY,
    ),
    "rosters.teams": (
        lambda db, actor, w: rosters.teams(db, actor, w.community.id),
        STAFF_ONLY,
    ),
    "rosters.community_volunteers": (
        lambda db, actor, w: rosters.community_volunteers(db, actor, w.community.id),
        STAFF_ONLY,
    ),
    "rosters.watchers": (
        lambda db, actor, w: rosters.watchers(db, actor, w.community.id),
        STAFF_ONLY,
    ),
    "rosters.set_watcher": (
        lambda db, actor, w: rosters.set_watcher(
            db, actor, w.household.building_id, w.volunteer.id
        ),
        STAFF_ONLY,
    ),
    "rosters.export_hours": (
        lambda db, actor, w: rosters.export_hours(db, actor, w.community.id),
        STAFF_ONLY,
    ),
    "volunteers.suspend": (
        lambda db, actor, w: volunteers.suspend(db, actor, _new_volunteer(db, w)),
        STAFF_ONLY,
    ),
    "volunteers.reinstate": (
        lambda db, actor, w: volunteers.reinstate(db, actor, _new_volunteer(db, w)),
        STAFF_ONLY,
    ),
    "volunteers.team_choices": (
        lambda db, actor, w: volunteers.team_choices(db, actor, w.community.id),
        STAFF_ONLY,
    ),
    # ---- end of volunteer rosters
    # ---- nucleic-acid testing: staff plan, the community's field people sample, residents see
    "testing.plan_round": (
        lambda db, actor, w: testing.plan_round(db, actor, w.community.id, _t_round_input()),
        STAFF_ONLY | dict(street_staff=N, admin=N),
    ),
    "testing.end_round": (
        lambda db, actor, w: testing.end_round(db, actor, _t_round(db, w).id),
        STAFF_ONLY | dict(street_staff=N, admin=N),
    ),
    "testing.testing_rounds": (
        lambda db, actor, w: testing.testing_rounds(db, actor, w.community.id),
        T_READ,
    ),
    "testing.add_site": (
        lambda db, actor, w: testing.add_site(db, actor, _t_round(db, w).id, T_SITE),
        STAFF_ONLY | dict(street_staff=N, admin=N),
    ),
    "testing.add_slot": (
        lambda db, actor, w: testing.add_slot(
            db,
            actor,
            _t_site(db, w),
            {"building_id": w.household.building_id, "starts": "08:00", "ends": "09:00"},
        ),
        STAFF_ONLY | dict(street_staff=N, admin=N),
    ),
    "testing.sites": (
        lambda db, actor, w: testing.sites(db, actor, _t_round(db, w).id),
        T_READ,
    ),
    "testing.open_tube": (
        lambda db, actor, w: testing.open_tube(
            db, actor, {"site_id": _t_site(db, w), "barcode": "T0001"}
        ),
        T_FIELD,
    ),
    "testing.scan_code": (
        lambda db, actor, w: testing.scan_code(
            db, actor, _t_tube(db, w), community.personal_code(_member(db, w))
        ),
        T_FIELD,
    ),
    "testing.scan_member": (
        lambda db, actor, w: testing.scan_member(db, actor, _t_tube(db, w), _member(db, w)),
        T_FIELD,
    ),
    "testing.undo_last_scan": (
        lambda db, actor, w: testing.undo_last_scan(db, actor, _t_tube(db, w, filled=True)),
        T_FIELD,
    ),
    "testing.close_tube": (
        lambda db, actor, w: testing.close_tube(db, actor, _t_tube(db, w, filled=True)),
        T_FIELD,
    ),
    "testing.tube_state": (
        lambda db, actor, w: testing.tube_state(db, actor, _t_tube(db, w)),
        T_FIELD,
    ),
    "testing.tube_by_barcode": (
        lambda db, actor, w: testing.tube_by_barcode(db, actor, _t_round_with_tube(db, w), "T0001"),
        T_FIELD,
    ),
    "testing.find_door": (
        lambda db, actor, w: testing.find_door(db, actor, _t_round(db, w).id, "3-2-501"),
        T_FIELD,
    ),
    "testing.missed_list": (
        lambda db, actor, w: testing.missed_list(
            db, actor, _t_round(db, w).id, w.household.building_id
        ),
        T_READ,
    ),
    "testing.mark_missed": (
        lambda db, actor, w: testing.mark_missed(
            db, actor, _t_round(db, w).id, _member(db, w), {"kind": "away", "reason": "出差"}
        ),
        T_FIELD,
    ),
    "testing.clear_mark": (
        lambda db, actor, w: testing.clear_mark(db, actor, _t_round(db, w).id, _member(db, w)),
        T_FIELD,
    ),
    "testing.home_tasks": (
        lambda db, actor, w: testing.home_tasks(db, actor, _t_round(db, w).id),
        T_READ,
    ),
    "testing.request_home_sampling": (
        lambda db, actor, w: testing.request_home_sampling(
            db, actor, _t_round(db, w).id, _member(db, w)
        ),
        T_FIELD,
    ),
    "testing.take_home_task": (
        lambda db, actor, w: testing.take_home_task(db, actor, _t_task(db, w)),
        T_FIELD,
    ),
    "testing.finish_home_task": (
        lambda db, actor, w: _t_finish(db, actor, w),
        T_FIELD,
    ),
    "testing.import_results": (
        lambda db, actor, w: testing.import_results(
            db, actor, _t_round_with_tube(db, w), "r.csv", "管号,结果\nT0001,阴性\n".encode()
        ),
        STAFF_ONLY | dict(street_staff=N, admin=N),
    ),
    "testing.record_result": (
        lambda db, actor, w: testing.record_result(
            db, actor, _t_round_with_tube(db, w), "T0001", "阴性"
        ),
        STAFF_ONLY | dict(street_staff=N, admin=N),
    ),
    "testing.board": (
        lambda db, actor, w: testing.board(db, actor, _t_round(db, w).id),
        T_READ,
    ),
    "testing.round_progress": (
        lambda db, actor, w: testing.round_progress(db, actor, w.community.id),
        STAFF_ONLY,
    ),
    "testing.round_export": (
        lambda db, actor, w: testing.round_export(db, actor, _t_round(db, w).id),
        STAFF_ONLY,
    ),
    "testing.my_testing": (
        lambda db, actor, w: testing.my_testing(db, actor),
        dict(anonymous=N, resident=Y, volunteer=N, staff=N, street_staff=N, admin=N),
    ),
    "testing.household_codes": (
        lambda db, actor, w: testing.household_codes(db, actor, w.household.id),
        dict(anonymous=N, resident=Y, volunteer=N, staff=Y, street_staff=N, admin=N),
    ),
}

# Operations that act on one community, tried by a user of a community they do not run.
OUT_OF_SCOPE = {
    "rosters.create_post": "far_staff",
    "rosters.create_shifts": "far_staff",
    "rosters.roster_day": "far_staff",
    "rosters.add_member": "far_staff",
    "rosters.set_watcher": "far_staff",
    "rosters.export_hours": "far_staff",
    "volunteers.suspend": "far_staff",
    "volunteers.pending_applications": "far_staff",
    "volunteers.decide": "far_staff",
    "volunteers.approve": "far_staff",
    "volunteers.team_choices": "far_staff",
    "community.grid_volunteers": "far_staff",
    "register_io.plan_import": "far_staff",
    "register_io.export_roster": "far_staff",
    "community.household_file": "far_staff",
    "community.reveal/mobile": "far_staff",
    "community.update_resident": "far_staff",
    "community.places": "far_staff",
    "community.add_building": "far_staff",
    "community.assign_volunteer_grid": "far_staff",
    "community.audit_log": "far_staff",
    "accounts.create_account/volunteer": "far_staff",
    "accounts.pending_residents": "far_staff",
    "accounts.find_household": "far_staff",
    "accounts.link_household": "far_staff",
    "community.community_counts": "far_staff",
    "screening.start_round": "far_staff",
    "screening.update_rules": "far_staff",
    "screening.coverage": "far_staff",
    "screening.rounds": "far_staff",
    "screening.building_doors": "far_staff",
    "screening.visit_form": "far_staff",
    "screening.record_visit": "far_staff",
    "screening.record_arrival": "far_staff",
    "screening.find_door": "far_staff",
    "screening.release": "far_staff",
    "supplies.create_buy": "far_staff",
    "supplies.update_item": "far_staff",
    "supplies.place_order": "far_staff",
    "supplies.summary": "far_staff",
    "supplies.collect": "far_staff",
    "supplies.take_errand": "far_staff",
    "supplies.delivery_tasks": "far_staff",
    "supplies.compound_choices": "far_staff",
    "supplies.deliverers": "far_staff",
    "testing.plan_round": "far_staff",
    "testing.testing_rounds": "far_staff",
    "testing.add_site": "far_staff",
    "testing.sites": "far_staff",
    "testing.open_tube": "far_staff",
    "testing.scan_code": "far_staff",
    "testing.tube_state": "far_staff",
    "testing.tube_by_barcode": "far_staff",
    "testing.find_door": "far_staff",
    "testing.missed_list": "far_staff",
    "testing.mark_missed": "far_staff",
    "testing.home_tasks": "far_staff",
    "testing.import_results": "far_staff",
    "testing.board": "far_staff",
    "testing.household_codes": "far_staff",
    "testing.round_progress": "far_staff",
    "testing.round_export": "far_staff",
}


CSV = "小区,楼栋,单元,门牌号,姓名,性别\n望江花园,3,2,501,罗辉,男\n".encode()


def _table() -> register_io.Table:
    return register_io.read_table("roster.csv", CSV)


MAPPING = register_io.guess_mapping(_table().headers)


def _sign_up(world) -> dict:
    return {
        "name": "新志愿者",
        "mobile": _fresh_mobile(),
        "password": "Abc12345",
        "community_id": world.community.id,
        "compound_id": world.household.compound_id,
        "duties": ["screener"],
        "healthy": True,
        "consent": True,
    }


# ---- volunteer rosters: the rows an operation acts on, made fresh for each call


def _roster_post(db, world) -> Post:
    post = Post(
        community_id=world.community.id,
        name=f"岗点{_fresh_mobile()}",
        kind=PostKind.GATE,
        opens=time(0, 0),
        closes=time(23, 59),
    )
    db.add(post)
    db.commit()
    return post


def _roster_shift(db, world, starts_in=timedelta(days=1), signed=False, checked_in=False) -> Shift:
    starts = utcnow() + starts_in
    shift = Shift(
        post_id=_roster_post(db, world).id,
        community_id=world.community.id,
        starts_at=starts,
        ends_at=starts + timedelta(hours=3),
        capacity=3,
        taken=1 if signed else 0,
    )
    db.add(shift)
    db.flush()
    if signed:
        db.add(
            ShiftSignup(
                shift_id=shift.id,
                user_id=world.volunteer.id,
                checked_in_at=utcnow() if checked_in else None,
            )
        )
    db.commit()
    return shift


def _new_volunteer(db, world) -> int:
    return add_user(db, _fresh_mobile(), Role.VOLUNTEER, world.community).id


def _team(db, world) -> Team:
    team = Team(community_id=world.community.id, name=f"小队{_fresh_mobile()}")
    db.add(team)
    db.commit()
    return team


def _team_with_member(db, world) -> tuple[int, int]:
    team, user_id = _team(db, world), _new_volunteer(db, world)
    db.add(TeamMember(team_id=team.id, user_id=user_id))
    db.commit()
    return team.id, user_id


def _member(db, world) -> int:
    """A resident of the world's household (the volunteer's grid, the resident's home)."""
    return db.exec(select(Resident.id).where(Resident.household_id == world.household.id)).first()


RULES = {
    "fever_from": 37.3,
    "on_fever": 3,
    "on_symptoms": 1,
    "on_travel": 2,
    "on_yellow_code": 2,
    "on_red_code": 3,
    "on_positive_test": 3,
    "quarantine_days": 14,
    "call_attempts": 3,
}


def _round_input() -> dict:
    return {"name": "全员排查", "starts_on": today_local(), "ends_on": today_local()}


def _round(db, world) -> int:
    """A fresh open round of the world's community, started by its staff."""
    return screening.start_round(db, world.staff, world.community.id, _round_input()).id


def _visit(db, world, outcome: str) -> dict:
    return {
        "client_id": uuid.uuid4().hex,
        "round_id": _round(db, world),
        "household_id": world.household.id,
        "outcome": outcome,
    }


def _recorded_door(db, world) -> tuple[int, int]:
    data = _visit(db, world, "vacant")
    screening.record_visit(db, world.staff, data)
    return data["round_id"], world.household.id


def _follow_up(db, world) -> int:
    follow_up = FollowUp(
        round_id=_round(db, world), household_id=world.household.id, community_id=world.community.id
    )
    db.add(follow_up)
    db.commit()
    return follow_up.id


def _arrival(db, world) -> dict:
    return {
        "client_id": uuid.uuid4().hex,
        "household_id": world.household.id,
        "resident_id": _member(db, world),
        "from_place": "成都东站",
        "arrived_on": today_local(),
        "transport": "train",
    }


def _plan(db, world) -> int:
    plan = QuarantinePlan(
        resident_id=_member(db, world),
        household_id=world.household.id,
        community_id=world.community.id,
        reason="密接",
        starts_on=today_local(),
        days=14,
        created_by=world.staff.id,
    )
    db.add(plan)
    db.commit()
    return plan.id


# ---------------------------------------------------------------- testing set-ups

T_SITE = {"name": "东门采样点", "opens": "08:00", "closes": "12:00", "capacity": 200}


def _t_round_input() -> dict:
    return {"name": "全员核酸", "test_date": today_local(), "mode": "pool5"}


def _t_round(db, world):
    """A fresh open testing round of the world's community, planned by its staff."""
    return testing.plan_round(db, world.staff, world.community.id, _t_round_input())


def _t_site(db, world) -> int:
    return testing.add_site(db, world.staff, _t_round(db, world).id, T_SITE).id


def _t_tube(db, world, filled=False) -> int:
    tube = testing.open_tube(db, world.staff, {"site_id": _t_site(db, world), "barcode": "T0001"})
    if filled:
        testing.scan_member(db, world.staff, tube.id, _member(db, world))
    return tube.id


def _t_round_with_tube(db, world) -> int:
    tube = _t_tube(db, world, filled=True)
    return db.get(testing_models.Tube, tube).round_id


def _t_task(db, world) -> int:
    rnd = _t_round(db, world)
    return testing.request_home_sampling(db, world.staff, rnd.id, _member(db, world)).id


def _t_finish(db, actor, world) -> None:
    task = _t_task(db, world)
    testing.take_home_task(db, actor, task)
    testing.finish_home_task(db, actor, task, "H0001")


# ---------------------------------------------------------------- supplies set-ups

_ERRAND = {"kind": "medicine", "details": "降压药一盒"}
_SUP_PLAN = {"batch_size": 10, "slot_minutes": 15, "first_slot_at": utcnow()}


def _sup_buy(db, world):
    """A fresh open group buy of the world's compound, made by staff."""
    return supplies.create_buy(db, world.staff, world.community.id, _sup_buy_data(world))


def _sup_buy_data(world) -> dict:
    return {
        "title": "蔬菜包",
        "supplier": "鲜丰",
        "opens_at": utcnow() - timedelta(hours=1),
        "closes_at": utcnow() + timedelta(hours=3),
        "compound_ids": [world.household.compound_id],
        "pickup_points": ["东门"],
        "delivery_offered": True,
        "items": [{"name": "青菜", "price_fen": 1500, "stock": 99, "limit_per_household": 3}],
    }


def _sup_item(db, world, new=True) -> int:
    """The item of a fresh buy, or (new=False) of the latest buy."""
    from app.supplies.models import BuyItem

    if new:
        _sup_buy(db, world)
    return db.exec(select(BuyItem.id).order_by(BuyItem.id.desc())).first()


def _sup_order(db, world, delivery=False):
    """A placed order of the world's household in a fresh buy, by staff."""
    buy = _sup_buy(db, world)
    item = _sup_item(db, world, new=False)
    from app.supplies.models import SupplyOrder

    order_id = supplies.place_order(
        db, world.staff, buy.id, {item: 1}, world.household.id, delivery
    )
    return db.get(SupplyOrder, order_id)


def _sup_closed(db, world, delivery=False) -> int:
    """A buy closed early with one order of the world's household; returns the buy id."""
    order = _sup_order(db, world, delivery)
    supplies.set_buy_status(db, world.staff, order.buy_id, "close")
    return order.buy_id


def _sup_arrived(db, world, delivery=False):
    order = _sup_order(db, world, delivery)
    supplies.set_buy_status(db, world.staff, order.buy_id, "close")
    supplies.generate_batches(db, world.staff, order.buy_id, _SUP_PLAN)
    return order


def _sup_taken_errand(db, world) -> int:
    errand = supplies.request_errand(db, world.resident, _ERRAND)
    return supplies.take_errand(db, world.volunteer, errand.id).id


def _allowed(call, db, actor, world) -> bool:
    try:
        call(db, actor, world)
    except Forbidden:
        db.rollback()
        return False
    return True


@pytest.mark.parametrize("operation", sorted(MATRIX))
def test_matrix(db, world, operation):
    call, expected = MATRIX[operation]
    got = {}
    for role in ROLES:
        got[role] = _allowed(call, db, world.by_role(role), world)
        db.rollback()
    assert got == expected


@pytest.mark.parametrize("operation", sorted(OUT_OF_SCOPE))
def test_users_of_other_communities_are_refused(db, world, operation):
    call, _ = MATRIX[operation]
    assert not _allowed(call, db, getattr(world, OUT_OF_SCOPE[operation]), world)


def test_street_staff_reach_only_their_own_street(db, world):
    assert not _allowed(
        lambda d, a, w: community.community_counts(d, a, w.far.id), db, world.street_staff, world
    )
    names = [c.name for c in community.street_overview(db, world.street_staff)]
    assert names == ["锦官驿社区", "清泉社区"]


# Public building blocks other domains compose into their own operations; they run after the
# calling operation has checked the actor, so they have no permissions of their own.
BUILDING_BLOCKS = {
    "community.audit",
    "community.enrol",
    "community.households_in_scope",
    "community.people_in_scope",
    "community.household_for",
}


def test_every_service_operation_is_in_the_matrix():
    covered = {name.split("/")[0] for name in MATRIX} | BUILDING_BLOCKS
    missing = []
    for short, module in SERVICE_MODULES.items():
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            takes_actor = "actor" in inspect.signature(fn).parameters
            # A service package defines its operations in sub-modules and re-exports them.
            defined_here = fn.__module__ == module.__name__ or fn.__module__.startswith(
                f"{module.__name__}."
            )
            is_operation = defined_here and not name.startswith(("_", "require"))
            if takes_actor and is_operation and f"{short}.{name}" not in covered:
                missing.append(f"{short}.{name}")
    assert missing == []
