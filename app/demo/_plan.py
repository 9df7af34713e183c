"""The demo's fixed plan: the street's communities, compounds and logins, the seed and the
reference date."""

from dataclasses import dataclass
from datetime import date

from app.accounts.models import Role

DEMO_PASSWORD = "Demo2026"
DEMO_STREET = "东湖街道"
DEMO_DISTRICT = "锦江区"
SEED = 20200125
# Ages are worked out against this day, not today, so the data never changes.
REFERENCE_DATE = date(2026, 1, 1)
_CHUNK = 1000


@dataclass(frozen=True)
class DemoLogin:
    role: Role
    name: str
    mobile: str
    community: str  # community name, or the street name for street staff, "" for admin


# ---------------------------------------------------------------- the plan

# Kinds of compound: (units per building, floors per building); buildings are per compound.
_KINDS = {
    "new": ((2, 3), (11, 18)),  # 商品房小区, lifts
    "old": ((2, 3), (6, 7)),  # 老小区 of the 1990s, stairs only
    "yard": ((1, 2), (6, 6)),  # 院落: a few old blocks behind one gate
}
_DOORS_PER_FLOOR = 2


@dataclass(frozen=True)
class _CompoundPlan:
    name: str
    address: str
    kind: str
    buildings: int


@dataclass(frozen=True)
class _CommunityPlan:
    name: str
    compounds: tuple[_CompoundPlan, ...]
    staff: tuple[tuple[str, str], ...]  # (name, mobile)
    volunteers: tuple[tuple[str, str], ...]
    resident_mobiles: tuple[str, ...]
    pending_mobile: str


_ADMIN = ("系统管理员", "13800000000")
_STREET_STAFF = ("赵国庆", "13800000009")
_COMMUNITIES = (
    _CommunityPlan(
        name="锦官驿社区",
        compounds=(
            _CompoundPlan("望江花园", "锦江区望江路18号", "new", 9),
            _CompoundPlan("锦城苑", "锦江区锦官驿街66号", "new", 8),
            _CompoundPlan("水井坊小区", "锦江区水井街29号", "old", 6),
            _CompoundPlan("滨江东路院落", "锦江区滨江东路112号", "yard", 3),
        ),
        staff=(("刘晓燕", "13800000001"), ("陈志强", "13800000002")),
        volunteers=(
            ("王浩然", "13900000001"),
            ("李雪梅", "13900000002"),
            ("张建华", "13900000003"),
            ("黄丽萍", "13900000004"),
        ),
        resident_mobiles=("13700000001", "13700000002", "13700000003"),
        pending_mobile="13700000009",
    ),
    _CommunityPlan(
        name="清泉社区",
        compounds=(
            _CompoundPlan("清泉雅居", "锦江区清泉路8号", "new", 9),
            _CompoundPlan("香槟广场", "锦江区东湖路168号", "new", 7),
            _CompoundPlan("合江亭小区", "锦江区合江亭路21号", "old", 7),
            _CompoundPlan("东门街院落", "锦江区东门街45号", "yard", 2),
        ),
        staff=(("杨丽华", "13800000003"), ("周建军", "13800000004")),
        volunteers=(
            ("吴俊杰", "13900000011"),
            ("徐静", "13900000012"),
            ("孙志勇", "13900000013"),
            ("罗晓红", "13900000014"),
        ),
        resident_mobiles=("13700000011", "13700000012", "13700000013"),
        pending_mobile="13700000019",
    ),
)
_GRID_NAMES = ("第一网格", "第二网格", "第三网格", "第四网格", "第五网格", "第六网格")


def _demo_mobiles() -> list[str]:
    """Every demo login's number, in the order load_demo returns them."""
    staff = [m for c in _COMMUNITIES for _, m in c.staff]
    volunteers = [m for c in _COMMUNITIES for _, m in c.volunteers]
    residents = [m for c in _COMMUNITIES for m in c.resident_mobiles]
    pending = [c.pending_mobile for c in _COMMUNITIES]
    return [_ADMIN[1], _STREET_STAFF[1], *staff, *volunteers, *residents, *pending]
