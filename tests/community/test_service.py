from datetime import date, timedelta

import pytest
from sqlmodel import func, select

from app.accounts.models import AuditEntry, Role
from app.community import service
from app.community.models import Household, Resident, Unit
from app.errors import Forbidden, InvalidInput, ServiceError
from tests.conftest import add_household, add_user

# A valid ID number: 1990-03-07, male (17th digit odd), checksum per GB 11643.
ID_MALE = "51010419900307" + "123"
ID_MALE += service.id_check_code(ID_MALE)
PERSON = {"name": "赵明", "sex": "male", "relation": "子女", "mobile": "13512340001"}


def _count(db, model) -> int:
    return db.exec(select(func.count()).select_from(model)).one()


# ---------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("number", "valid"),
    [
        (ID_MALE, True),
        (ID_MALE[:-1] + ("0" if ID_MALE[-1] != "0" else "1"), False),  # wrong checksum
        ("11010519491231002X", True),  # the standard's own example
        ("51010419901307123" + service.id_check_code("51010419901307123"), False),  # month 13
        ("5101041990030712", False),  # too short
    ],
)
def test_id_numbers_are_checked_with_the_national_checksum(number, valid):
    try:
        service.parse_id_number(number)
        assert valid
    except ValueError:
        assert not valid


def test_an_id_number_fills_the_birth_date_and_must_agree_with_sex(db, world):
    resident = service.add_resident(
        db, world.staff, world.household.id, {**PERSON, "id_number": ID_MALE.lower()}
    )
    assert resident.birth_date == date(1990, 3, 7)
    assert resident.id_number == ID_MALE
    with pytest.raises(InvalidInput) as exc:
        service.add_resident(
            db,
            world.staff,
            world.household.id,
            {
                **PERSON,
                "name": "赵红",
                "sex": "male",  # the ID is a woman's: its 17th digit is even
                "id_number": "11010519491231002X",
                "birth_date": "1950-01-01",
            },
        )
    assert exc.value.fields == {
        "birth_date": "errors.id_number_birth_mismatch",
        "sex": "errors.id_number_sex_mismatch",
    }


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({"name": " "}, {"name": "errors.missing"}),
        ({"mobile": "1351234"}, {"mobile": "errors.mobile_invalid"}),
        ({"id_number": "510104199003071230"}, {"id_number": "errors.id_number_invalid"}),
        (
            {"birth_date": str(date.today() + timedelta(days=2))},
            {"birth_date": "errors.date_in_future"},
        ),
        (
            {"moved_in": "2024-05-01", "moved_out": "2024-04-01"},
            {"moved_out": "errors.moved_out_before_in"},
        ),
        ({"pregnant": True}, {"pregnant": "errors.pregnant_male"}),
        ({"sex": "x"}, {"sex": "errors.enum"}),
    ],
)
def test_invalid_person_files_save_nothing(db, world, changes, errors):
    before = _count(db, Resident)
    with pytest.raises(InvalidInput) as exc:
        service.add_resident(db, world.staff, world.household.id, {**PERSON, **changes})
    assert exc.value.fields == errors
    assert _count(db, Resident) == before


def test_one_id_number_belongs_to_one_person(db, world):
    service.add_resident(db, world.staff, world.household.id, {**PERSON, "id_number": ID_MALE})
    with pytest.raises(InvalidInput) as exc:
        service.add_resident(
            db, world.staff, world.outside.id, {**PERSON, "name": "别人", "id_number": ID_MALE}
        )
    assert exc.value.fields == {"id_number": "errors.id_number_taken"}


# ---------------------------------------------------------------- household file and privacy


def test_staff_see_masked_numbers_and_revealing_one_is_audited(db, world):
    added = service.add_resident(
        db, world.staff, world.household.id, {**PERSON, "id_number": ID_MALE}
    )
    view = service.household_file(db, world.staff, world.household.id)
    member = next(m for m in view.members if m.id == added.id)
    assert member.mobile == "135****0001"
    assert member.id_number == "5101**********" + ID_MALE[-4:]
    assert view.can_reveal == ["mobile", "id_number"]
    assert service.reveal(db, world.staff, added.id, "id_number") == ID_MALE
    entry = db.exec(select(AuditEntry).where(AuditEntry.action == "reveal.id_number")).one()
    assert (entry.actor_id, entry.subject, entry.community_id) == (
        world.staff.id,
        f"resident:{added.id}",
        world.community.id,
    )
    log = service.audit_log(db, world.staff, world.community.id)
    assert [(r.actor, r.action) for r in log][:2] == [
        (world.staff.name, "reveal.id_number"),
        (world.staff.name, "resident.add"),
    ]


def test_volunteers_may_reveal_mobiles_but_not_id_numbers(db, world):
    added = service.add_resident(
        db, world.staff, world.household.id, {**PERSON, "id_number": ID_MALE}
    )
    assert service.household_file(db, world.volunteer, world.household.id).can_reveal == ["mobile"]
    assert service.reveal(db, world.volunteer, added.id, "mobile") == "13512340001"
    with pytest.raises(Forbidden):
        service.reveal(db, world.volunteer, added.id, "id_number")


def test_a_resident_sees_their_own_family_in_full_and_corrects_it(db, world):
    added = service.add_resident(db, world.staff, world.household.id, PERSON)
    view = service.household_file(db, world.resident, world.household.id)
    assert next(m for m in view.members if m.id == added.id).mobile == "13512340001"
    assert view.can_edit and view.can_reveal == []
    service.update_resident(db, world.resident, added.id, {**PERSON, "mobile": "13512340009"})
    assert db.get(Resident, added.id).mobile_tail == "0009"
    with pytest.raises(Forbidden):
        service.household_file(db, world.resident, world.outside.id)


def test_sending_back_masked_numbers_keeps_them(db, world):
    added = service.add_resident(
        db, world.staff, world.household.id, {**PERSON, "id_number": ID_MALE}
    )
    masked = {
        **PERSON,
        "mobile": "135****0001",
        "id_number": service.mask_id_number(ID_MALE),
        "relation": "孙子女",
    }
    service.update_resident(db, world.staff, added.id, masked)
    saved = db.get(Resident, added.id)
    assert (saved.mobile, saved.id_number, saved.relation) == ("13512340001", ID_MALE, "孙子女")
    entry = db.exec(select(AuditEntry).where(AuditEntry.action == "resident.update")).one()
    assert entry.detail.endswith("relation")


def test_an_update_that_changes_nothing_writes_no_audit_entry(db, world):
    added = service.add_resident(db, world.staff, world.household.id, PERSON)
    service.update_resident(db, world.staff, added.id, PERSON)
    assert db.exec(select(AuditEntry).where(AuditEntry.action == "resident.update")).all() == []


@pytest.mark.parametrize(
    ("who", "household", "allowed"),
    [
        ("volunteer", "household", True),  # in their grid
        ("volunteer", "outside", False),  # same community, other grid
        ("staff", "outside", True),
        ("far_staff", "household", False),
        ("street_staff", "household", True),
        ("street_staff", "far_household", False),
        ("resident", "household", True),
        ("resident", "outside", False),
    ],
)
def test_who_sees_which_household(db, world, who, household, allowed):
    actor, target = getattr(world, who), getattr(world, household)
    try:
        service.household_file(db, actor, target.id)
        assert allowed
    except Forbidden:
        assert not allowed


def test_volunteers_read_but_do_not_edit_the_register(db, world):
    resident = db.exec(select(Resident).where(Resident.household_id == world.household.id)).first()
    with pytest.raises(Forbidden):
        service.update_resident(db, world.volunteer, resident.id, PERSON)


def test_unknown_records_say_not_found(db, world):
    with pytest.raises(ServiceError) as exc:
        service.household_file(db, world.staff, 99999)
    assert exc.value.code == "errors.not_found"


# ---------------------------------------------------------------- search


@pytest.fixture
def searchable(db, world):
    service.add_resident(
        db,
        world.staff,
        world.household.id,
        {**PERSON, "name": "罗建国", "mobile": "13912345678", "id_number": ID_MALE},
    )
    service.add_resident(
        db,
        world.staff,
        world.outside.id,
        {**PERSON, "name": "罗芳", "sex": "female", "mobile": "13712345678"},
    )
    return world


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("罗", {"望江花园 3-2-501", "锦城苑 3-2-1101"}),
        ("罗建", {"望江花园 3-2-501"}),
        ("5678", {"望江花园 3-2-501", "锦城苑 3-2-1101"}),
        ("13912345678", {"望江花园 3-2-501"}),
        ("3-2-501", {"望江花园 3-2-501"}),
        ("3-2", {"望江花园 3-2-501", "锦城苑 3-2-1101"}),
        ("望江花园 3-2", {"望江花园 3-2-501"}),
        ("3栋2单元1101", {"锦城苑 3-2-1101"}),
        ("1101", {"锦城苑 3-2-1101"}),
        (ID_MALE, {"望江花园 3-2-501"}),
        ("王", set()),
        ("   ", set()),
        ("*", set()),
    ],
)
def test_staff_find_people_and_doors(db, searchable, text, expected):
    hits = service.search(db, searchable.staff, text)
    assert {h.address for h in hits} == expected


def test_search_shows_masked_numbers_and_who_lives_at_a_door(db, searchable):
    person = service.search(db, searchable.staff, "罗建国")[0]
    assert (person.name, person.detail) == ("罗建国", "139****5678")
    door = service.search(db, searchable.staff, "3-2-501")[0]
    assert door.name == "罗辉、罗小雨、罗建国"


def test_volunteers_find_only_their_grid_and_residents_cannot_search(db, searchable):
    assert {h.address for h in service.search(db, searchable.volunteer, "罗")} == {
        "望江花园 3-2-501"
    }
    assert service.search(db, searchable.far_staff, "罗") == []
    with pytest.raises(Forbidden):
        service.search(db, searchable.resident, "罗")


# ---------------------------------------------------------------- places


def test_a_new_building_comes_with_all_its_doors(db, world):
    compound = service.add_compound(db, world.staff, world.community.id, {"name": "清泉雅居"})
    service.add_building(
        db,
        world.staff,
        {
            "compound_id": compound.id,
            "number": "5栋",
            "units": 2,
            "floors": 11,
            "doors_per_floor": 2,
        },
    )
    doors = db.exec(select(Household).where(Household.compound_id == compound.id)).all()
    assert len(doors) == 2 * 11 * 2
    assert {d.door_key for d in doors} >= {"5-1-101", "5-2-1102"}
    assert _count(db, Unit) == 3 + 2
    tree = service.places(db, world.staff, world.community.id)
    node = next(c for c in tree if c.name == "清泉雅居")
    assert [(b.number, b.units, b.households) for b in node.buildings] == [("5", 2, 44)]


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        ({"number": "5", "floors": 0}, {"floors": "errors.count_out_of_range"}),
        ({"number": "五栋"}, {"number": "errors.building_number_invalid"}),
        ({"number": "3"}, {"number": "errors.building_exists"}),
    ],
)
def test_bad_buildings_are_refused_whole(db, world, data, errors):
    before = _count(db, Household)
    with pytest.raises(InvalidInput) as exc:
        service.add_building(db, world.staff, {"compound_id": world.household.compound_id, **data})
    assert exc.value.fields == errors
    assert _count(db, Household) == before


def test_compound_and_grid_names_are_unique_in_a_community(db, world):
    with pytest.raises(InvalidInput) as exc:
        service.add_compound(db, world.staff, world.community.id, {"name": "望江花园"})
    assert exc.value.fields == {"name": "errors.name_taken"}
    with pytest.raises(InvalidInput):
        service.add_grid(db, world.staff, world.community.id, {"name": "第一网格"})


def test_grids_hold_buildings_and_volunteers(db, world):
    second = service.add_grid(
        db,
        world.staff,
        world.community.id,
        {"name": "第二网格", "worker_name": "陈刚", "worker_mobile": "13612345678"},
    )
    service.assign_building(db, world.staff, world.outside.building_id, second.id)
    service.assign_volunteer_grid(db, world.staff, world.volunteer.id, second.id)
    assert {h.address for h in service.search(db, world.volunteer, "3-2")} == {"锦城苑 3-2-1101"}
    views = {g.name: g for g in service.grids(db, world.staff, world.community.id)}
    assert (
        views["第二网格"].buildings,
        views["第二网格"].households,
        views["第二网格"].volunteers,
    ) == (1, 1, 1)
    assert views["第二网格"].worker_mobile == "136****5678"
    assert [
        (v.name, v.grid_id, v.mobile)
        for v in service.grid_volunteers(db, world.staff, world.community.id)
    ] == [(world.volunteer.name, second.id, "139****0001")]
    far_grid = service.add_grid(db, world.far_staff, world.far.id, {"name": "上游网格"})
    with pytest.raises(InvalidInput):
        service.assign_building(db, world.staff, world.outside.building_id, far_grid.id)


# ---------------------------------------------------------------- overview


def test_community_counts_count_only_that_community(db, world):
    add_household(db, world.community, "水井坊小区", "1101", ("李雪", "李明", "王芳"))
    add_user(db, "13900000002", Role.VOLUNTEER, world.community)
    add_user(db, "13900000003", Role.VOLUNTEER, world.far)
    counts = service.community_counts(db, world.staff, world.community.id)
    assert (counts.compounds, counts.households, counts.residents) == (3, 3, 6)
    assert (counts.volunteers, counts.staff) == (2, 1)


def test_people_who_moved_out_are_not_counted(db, world):
    resident = db.exec(select(Resident).where(Resident.household_id == world.outside.id)).one()
    service.update_resident(
        db,
        world.staff,
        resident.id,
        {"name": resident.name, "sex": "male", "moved_out": "2025-01-01"},
    )
    assert service.community_counts(db, world.staff, world.community.id).residents == 2


def test_street_overview_lists_each_community_of_the_street(db, world):
    rows = service.street_overview(db, world.street_staff)
    assert [(r.name, r.households) for r in rows] == [("锦官驿社区", 2), ("清泉社区", 0)]
    assert len(service.street_overview(db, world.admin)) == 3


def test_registration_lists_communities_with_their_street(db, world):
    labels = [label for _, label in service.list_communities(db)]
    assert labels == ["东湖街道 · 清泉社区", "东湖街道 · 锦官驿社区", "西城街道 · 上游社区"]


def test_place_name_is_the_community_or_the_street(db, world):
    assert service.place_name(db, world.staff) == "锦官驿社区"
    assert service.place_name(db, world.street_staff) == "东湖街道"
    assert service.place_name(db, world.admin) == ""
