from app.accounts.models import Role
from app.community import service
from tests.conftest import add_household, add_user


def test_community_counts_count_only_that_community(db, world):
    add_household(db, world.community, "锦城苑", "1101", ("李雪", "李明", "王芳"))
    add_user(db, "13900000002", Role.VOLUNTEER, world.community)
    add_user(db, "13900000003", Role.VOLUNTEER, world.far)
    counts = service.community_counts(db, world.staff, world.community.id)
    assert (counts.compounds, counts.households, counts.residents) == (2, 2, 5)
    assert (counts.volunteers, counts.staff) == (2, 1)


def test_disabled_volunteers_are_not_counted(db, world):
    world.volunteer.is_active = False
    db.add(world.volunteer)
    db.commit()
    assert service.community_counts(db, world.staff, world.community.id).volunteers == 0


def test_street_overview_lists_each_community_of_the_street(db, world):
    rows = service.street_overview(db, world.street_staff)
    assert [(r.name, r.households) for r in rows] == [("锦官驿社区", 1), ("清泉社区", 0)]
    assert len(service.street_overview(db, world.admin)) == 3


def test_a_resident_sees_their_household_and_members(db, world):
    view = service.my_household(db, world.resident)
    assert view.address == "望江花园 3-2-501"
    assert view.members == [("罗辉", "户主"), ("罗小雨", "子女")]


def test_an_unlinked_resident_has_no_household_yet(db, world):
    waiting = add_user(db, "13700000009", Role.RESIDENT, world.community)
    assert service.my_household(db, waiting) is None


def test_registration_lists_communities_with_their_street(db, world):
    labels = [label for _, label in service.list_communities(db)]
    assert labels == ["东湖街道 · 清泉社区", "东湖街道 · 锦官驿社区", "西城街道 · 上游社区"]


def test_place_name_is_the_community_or_the_street(db, world):
    assert service.place_name(db, world.staff) == "锦官驿社区"
    assert service.place_name(db, world.street_staff) == "东湖街道"
    assert service.place_name(db, world.admin) == ""
