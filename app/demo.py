"""A realistic demo community: one street (东湖街道), two communities, eight compounds, about
3,000 households and 8,000 residents, grids with their workers, and a login for every role.

The data is the same on every run (a fixed random seed and a fixed reference date), so
end-to-end tests and screenshots can rely on it. `scale` shrinks the number of buildings for
quick tests."""

import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session, col, select

from app.accounts.models import Role, User
from app.accounts.service import hash_password
from app.community.models import (
    Building,
    Community,
    Compound,
    Grid,
    Household,
    Resident,
    Sex,
    Street,
    Unit,
)
from app.community.service import id_check_code, new_household
from app.db import saved_id
from app.screening import service as screening
from app.supplies.models import BuyItem
from app.timeutil import to_local, today_local, utcnow

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


# ---------------------------------------------------------------- names and numbers

# Common surnames with rough weights (per cent of population; 罗 唐 邓 a little higher in 四川).
_SURNAME_TABLE = (
    "王7.1 李7.0 张6.6 刘5.4 陈4.5 杨3.1 黄2.2 赵2.0 吴2.0 周1.9 徐1.5 孙1.5 马1.4 朱1.3 "
    "胡1.3 郭1.2 何1.2 罗1.2 高1.0 林0.9 郑0.9 唐0.9 梁0.8 谢0.8 宋0.7 邓0.8 许0.6 韩0.6 "
    "冯0.6 曹0.5 彭0.6 曾0.5 肖0.5 田0.5 董0.5 袁0.5 潘0.4 蒋0.5 蔡0.4 余0.4 杜0.4 叶0.4 "
    "程0.4 苏0.4 魏0.4 吕0.3 丁0.3 任0.4 沈0.3 姚0.3 卢0.3 钟0.3 姜0.3 崔0.2 谭0.3 陆0.3 "
    "范0.3 汪0.2 廖0.3 石0.2 金0.2 贾0.2 夏0.2 付0.2 方0.2 邹0.2 熊0.2 白0.2 孟0.2 秦0.2 "
    "邱0.2 侯0.2 江0.2 尹0.2 薛0.2 段0.2 雷0.2 龙0.2 黎0.2 史0.1 陶0.1 贺0.1 毛0.1 郝0.1 "
    "顾0.1 龚0.1 邵0.1 万0.1 向0.1 严0.1 文0.1 易0.1 康0.1 汤0.1"
)
_SURNAMES = _SURNAME_TABLE.split()
_SURNAME_CHARS = [s[0] for s in _SURNAMES]
_SURNAME_WEIGHTS = [float(s[1:]) for s in _SURNAMES]

# Given names by the decade people were born in: (two-character names, one-character names).
_GIVEN = {
    ("old", Sex.MALE): (
        "建国 建华 建军 国庆 国华 国强 志明 志刚 德胜 德华 庆华 学文 玉林 文斌 长富 世平 "
        "光明 树林 福生 宝山 振华 德明 永福 家才 明德 跃进 援朝 红旗 志远 正清",
        "勇 军 强 平 刚 明 林 斌 忠 成 福 元 贵",
    ),
    ("old", Sex.FEMALE): (
        "秀英 桂英 秀兰 玉兰 桂兰 淑珍 淑华 凤英 玉珍 素芬 玉梅 秀珍 桂芳 丽华 惠芳 德珍 "
        "琼芳 淑英 秀芳 素华 玉芬 翠兰 碧华 素清 桂香 月英 金凤 素琴 惠兰",
        "英 兰 珍 芳 梅 琴 芬 华 蓉 琼",
    ),
    ("mid", Sex.MALE): (
        "志强 建平 海涛 晓东 伟民 卫东 建伟 志勇 俊杰 海波 永刚 小军 建波 春雷 国栋 文杰 "
        "晓峰 振宇 鹏飞 立新 明亮 大伟 云飞 红兵 剑锋 成林 俊峰 永强 建明 立军 宏伟 "
        "海龙 智勇 光辉 文涛",
        "伟 强 磊 军 勇 杰 涛 斌 超 明 刚 平 辉 鹏 飞 鑫 波 浩 亮 峰",
    ),
    ("mid", Sex.FEMALE): (
        "丽娟 秀梅 红梅 晓燕 春梅 海燕 丽萍 雪梅 美玲 晓红 玉霞 小红 丹丹 婷婷 莉莉 晓丽 "
        "艳红 文静 慧敏 晓琳 雪莲 春燕 凤霞 佳丽 秀娟 丽君 小燕 晓梅 海霞 雪芳 "
        "红霞 静雯 玉洁 美华",
        "芳 娜 敏 静 丽 艳 娟 霞 燕 玲 婷 洁 琳 颖 倩 萍 红 莉 蓉 瑜",
    ),
    ("young", Sex.MALE): (
        "浩然 子轩 宇航 俊熙 梓豪 一鸣 博文 天佑 思远 子墨 皓轩 宇轩 明轩 泽宇 晨阳 浩宇 "
        "铭轩 奕辰 承泽 沐阳 子豪 家乐 睿哲 锦程 嘉诚 俊宇 梓睿 宇辰 浩轩 思源 "
        "子骞 博涛 鸿宇 文博 哲瀚 逸凡 天翊 一航 俊豪 乐天",
        "浩 宇 轩 博 睿 航 晨 哲 凯 昊",
    ),
    ("young", Sex.FEMALE): (
        "欣怡 梓涵 诗涵 子涵 雨涵 可馨 梦琪 思琪 语嫣 佳怡 一诺 若曦 紫萱 梓萱 雨桐 欣妍 "
        "心怡 佳琪 静怡 雅琪 可欣 诗琪 晨曦 思彤 芷若 雨萱 思雨 梓琪 艺涵 欣然 "
        "语桐 沐晴 婉清 嘉怡 子琪 佳欣 雨欣 可心 语汐 安琪",
        "萱 琪 涵 彤 妍 怡 悦 璐 瑶 菲 蕾 雪",
    ),
}
_GIVEN_SPLIT = {key: (two.split(), one.split()) for key, (two, one) in _GIVEN.items()}
# How often a generation got a one-character given name.
_ONE_CHAR_SHARE = {"old": 0.3, "mid": 0.35, "young": 0.15}
_PREFIX_TABLE = (
    "130 131 132 133 135 136 137 138 139 150 151 152 153 155 156 157 158 159 "
    "180 181 182 183 185 186 187 188 189 191 198 199"
)
_MOBILE_PREFIXES = _PREFIX_TABLE.split()


class _Namer:
    """Names and unique mobile numbers from one seeded generator."""

    def __init__(self, rng: random.Random, used_mobiles: set[str]):
        self.rng = rng
        self.used = used_mobiles

    def surname(self) -> str:
        return self.rng.choices(_SURNAME_CHARS, _SURNAME_WEIGHTS)[0]

    def given(self, sex: Sex, birth_year: int) -> str:
        era = "old" if birth_year < 1965 else "mid" if birth_year < 1995 else "young"
        two, one = _GIVEN_SPLIT[(era, sex)]
        return self.rng.choice(one if self.rng.random() < _ONE_CHAR_SHARE[era] else two)

    def mobile(self) -> str:
        while True:
            number = self.rng.choice(_MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"
            if number not in self.used:
                self.used.add(number)
                return number


# ---------------------------------------------------------------- households


@dataclass
class _Person:
    relation: str
    sex: Sex
    age: int
    surname: str = ""
    given: str = ""
    birth_date: date | None = None
    mobile: str = ""

    @property
    def name(self) -> str:
        return self.surname + self.given


def _other(sex: Sex) -> Sex:
    return Sex.FEMALE if sex == Sex.MALE else Sex.MALE


# Kinds of household and how often they occur (weights); about 2.7 people per door.
_FAMILY_KINDS = {
    "elderly_alone": 7,  # 独居老人, 75+
    "single": 9,
    "elderly_couple": 14,  # 空巢老人
    "couple": 8,
    "couple_1": 24,  # couple and one child
    "couple_2": 9,
    "couple_1_parent": 9,  # couple, a child and a parent of the head
    "couple_1_parents": 3,
    "three_generations": 8,  # older couple, a grown child (maybe with spouse), a grandchild
    "single_parent": 4,
    "adult_with_parent": 5,
}


def _compose(rng: random.Random) -> list[_Person]:
    """Who lives behind one door: relations, sexes and ages (names come later)."""
    r = rng.random
    kind = rng.choices(list(_FAMILY_KINDS), list(_FAMILY_KINDS.values()))[0]

    def sex(p_male: float = 0.5) -> Sex:
        return Sex.MALE if r() < p_male else Sex.FEMALE

    def couple(low: int, high: int) -> list[_Person]:
        head = _Person("户主", sex(0.7), rng.randint(low, high))
        spouse_age = head.age + (rng.randint(-6, 1) if head.sex == Sex.MALE else rng.randint(-1, 6))
        return [head, _Person("配偶", _other(head.sex), max(20, spouse_age))]

    def children(parent_age: int, count: int, relation: str = "子女") -> list[_Person]:
        ages = sorted(
            (max(0, parent_age - rng.randint(23, 36)) for _ in range(count)), reverse=True
        )
        return [_Person(relation, sex(), age) for age in ages]

    if kind == "elderly_alone":
        return [_Person("户主", sex(0.35), rng.randint(75, 91))]
    if kind == "single":
        return [_Person("户主", sex(0.55), rng.randint(30, 62))]
    if kind == "elderly_couple":
        return couple(60, 80)
    if kind == "couple":
        return couple(30, 59)
    if kind in ("couple_1", "couple_2"):
        people = couple(30, 56)
        return people + children(people[0].age, 1 if kind == "couple_1" else 2)
    if kind in ("couple_1_parent", "couple_1_parents"):
        people = couple(30, 52)
        head_age = people[0].age
        people += children(head_age, 1)
        parents = [Sex.MALE, Sex.FEMALE] if kind == "couple_1_parents" else [sex(0.35)]
        for parent_sex in parents:
            people.append(_Person("父母", parent_sex, min(95, head_age + rng.randint(22, 34))))
        return people
    if kind == "three_generations":
        people = couple(55, 76)
        child = children(people[0].age, 1)[0]
        child.age = max(child.age, 22)
        people.append(child)
        if r() < 0.5:
            in_law = "儿媳" if child.sex == Sex.MALE else "女婿"
            people.append(
                _Person(in_law, _other(child.sex), max(22, child.age + rng.randint(-3, 3)))
            )
        people += children(child.age, 1, "孙子女")
        return people
    if kind == "single_parent":
        head = _Person("户主", sex(0.3), rng.randint(30, 55))
        return [head, *children(head.age, 1)]
    # adult_with_parent: a grown child living with one widowed parent
    head = _Person("户主", sex(0.5), rng.randint(35, 60))
    return [head, _Person("父母", sex(0.3), min(95, head.age + rng.randint(22, 34)))]


def _name_family(people: list[_Person], namer: _Namer) -> None:
    """Surnames follow the father's line; given names fit sex and generation."""
    rng = namer.rng
    head = people[0]
    head.surname = namer.surname()
    father_surname = head.surname
    spouse = next((p for p in people if p.relation == "配偶"), None)
    if spouse is not None:
        spouse.surname = namer.surname()
        if spouse.sex == Sex.MALE:
            father_surname = spouse.surname
    child_surname = father_surname
    for person in people[1:]:
        if person.relation == "子女":
            person.surname = father_surname
            if person.sex == Sex.MALE:
                child_surname = person.surname
        elif person.relation == "父母":
            person.surname = head.surname if person.sex == Sex.MALE else namer.surname()
        elif person.relation in ("儿媳", "女婿"):
            person.surname = namer.surname()
            if person.sex == Sex.MALE:
                child_surname = person.surname
        elif person.relation == "孙子女":
            person.surname = child_surname
    for person in people:
        year = REFERENCE_DATE.year - person.age - 1
        person.birth_date = date(year, 1, 1) + timedelta(days=rng.randint(0, 364))
        person.given = namer.given(person.sex, year)
        # Children under 14 have no phone; some of the very old have none either.
        if person.age >= 18:
            has_phone = person.age < 80 or rng.random() < 0.7
        else:
            has_phone = person.age >= 14 and rng.random() < 0.5
        person.mobile = namer.mobile() if has_phone else ""


# ---------------------------------------------------------------- grids


def _split_grids(sizes: Sequence[int], count: int) -> list[list[int]]:
    """Split buildings (in order, so a grid is a run of neighbouring buildings) into `count`
    non-empty groups of about equal households."""
    target = sum(sizes) / count
    groups: list[list[int]] = [[]]
    done = 0
    for i, size in enumerate(sizes):
        still_to_open = count - len(groups)
        if groups[-1] and still_to_open > 0:
            past_target = done + size / 2 > target * len(groups)
            if past_target or len(sizes) - i == still_to_open:
                groups.append([])
        groups[-1].append(i)
        done += size
    return groups


# ---------------------------------------------------------------- person files

_REGION = "510104"  # 成都市锦江区


def _id_number(rng: random.Random, person: _Person, used: set[str]) -> str:
    """A valid, unused 18-character ID number matching the person's birth date and sex."""
    while True:
        sequence = rng.randrange(100) * 10 + rng.choice(
            (1, 3, 5, 7, 9) if person.sex == Sex.MALE else (0, 2, 4, 6, 8)
        )
        first17 = f"{_REGION}{person.birth_date:%Y%m%d}{sequence:03d}"
        if first17 not in used:
            used.add(first17)
            return first17 + id_check_code(first17)


def _care_flags(rng: random.Random, person: _Person, alone: bool) -> dict[str, bool]:
    """特殊人群, at rates a community roster shows."""
    age = person.age
    return {
        "elderly_alone": alone and age >= 70,
        "pregnant": person.sex == Sex.FEMALE and 22 <= age <= 40 and rng.random() < 0.03,
        "disabled": rng.random() < 0.015,
        "chronic_illness": age >= 60 and rng.random() < 0.3,
        "child_without_carer": False,
        "no_smartphone": (age >= 75 and rng.random() < 0.6) or (age >= 65 and rng.random() < 0.15),
    }


# ---------------------------------------------------------------- loading


def _chunks(rows: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(rows), _CHUNK):
        yield rows[start : start + _CHUNK]


@dataclass
class _Loaded:
    """What the loader keeps in hand between steps."""

    street: Street
    communities: list[Community]
    households: list[dict[str, Any]]  # rows for Household, in insert order
    household_community: list[int]  # per row: index into _COMMUNITIES
    household_ids: list[int]
    families: list[list[_Person]]


def _user(login: DemoLogin, **ids: Any) -> User:
    return User(name=login.name, mobile=login.mobile, role=login.role, password_hash="", **ids)


def _add_places(
    session: Session,
    street: Street,
    plan: _CommunityPlan,
    scale: float,
    namer: _Namer,
) -> tuple[Community, list[dict[str, Any]]]:
    """One community with its compounds, grids, buildings and units (ORM adds); returns the
    household rows still to insert."""
    rng = namer.rng
    community = Community(street_id=saved_id(street), name=plan.name)
    session.add(community)
    session.flush()
    compounds = [
        Compound(community_id=saved_id(community), name=c.name, address=c.address)
        for c in plan.compounds
    ]
    session.add_all(compounds)
    # Lay out every building first: (compound, number, floors, units).
    layout: list[tuple[Compound, str, int, int]] = []
    for compound, cplan in zip(compounds, plan.compounds, strict=True):
        (units_low, units_high), (floors_low, floors_high) = _KINDS[cplan.kind]
        for number in range(1, max(1, round(cplan.buildings * scale)) + 1):
            floors = rng.randint(floors_low, floors_high)
            layout.append((compound, str(number), floors, rng.randint(units_low, units_high)))

    grid_count = min(rng.randint(4, 6), len(layout))
    grids = []
    for name in _GRID_NAMES[:grid_count]:
        worker = namer.surname() + namer.given(rng.choice(list(Sex)), rng.randint(1972, 1996))
        grids.append(
            Grid(
                community_id=saved_id(community),
                name=name,
                worker_name=worker,
                worker_mobile=namer.mobile(),
            )
        )
    session.add_all(grids)
    session.flush()  # compounds and grids get their ids
    sizes = [floors * units * _DOORS_PER_FLOOR for _, _, floors, units in layout]
    grid_of: dict[int, int | None] = {}
    for grid, members in zip(grids, _split_grids(sizes, grid_count), strict=True):
        grid_of.update(dict.fromkeys(members, grid.id))
    buildings = [
        Building(compound_id=saved_id(compound), grid_id=grid_of[i], number=number)
        for i, (compound, number, _, _) in enumerate(layout)
    ]
    session.add_all(buildings)
    session.flush()
    units_of = [
        [Unit(building_id=saved_id(building), number=str(n)) for n in range(1, unit_count + 1)]
        for building, (_, _, _, unit_count) in zip(buildings, layout, strict=True)
    ]
    session.add_all([unit for units in units_of for unit in units])
    session.flush()

    rows = []
    for building, units, (compound, _, floors, _) in zip(buildings, units_of, layout, strict=True):
        for unit in units:
            for floor in range(1, floors + 1):
                for door_index in range(1, _DOORS_PER_FLOOR + 1):
                    door = f"{floor}{door_index:02d}"
                    rows.append(
                        new_household(compound, building, unit, door).model_dump(exclude={"id"})
                    )
    return community, rows


def _resident_users(loaded: _Loaded, rng: random.Random) -> tuple[list[User], list[User]]:
    """Three linked residents per community (heads of household of working age with a phone,
    in different compounds) and one pending resident: a grown-up family member who signed up
    with their home address but whom staff have not linked yet. Their register entries get the
    login number, so staff can match them."""
    linked: list[User] = []
    pending: list[User] = []
    rows, families = loaded.households, loaded.families
    for ci, (community, plan) in enumerate(zip(loaded.communities, _COMMUNITIES, strict=True)):
        mine = [i for i, c in enumerate(loaded.household_community) if c == ci]
        rng.shuffle(mine)
        chosen: list[int] = []
        # Prefer one per compound; at a tiny scale, settle for any.
        for spread in (True, False):
            for i in mine:
                head = families[i][0]
                compounds = {rows[j]["compound_id"] for j in chosen} if spread else set()
                if len(chosen) == len(plan.resident_mobiles):
                    break
                if (
                    i not in chosen
                    and 30 <= head.age <= 65
                    and head.mobile
                    and rows[i]["compound_id"] not in compounds
                ):
                    chosen.append(i)
        ids = {"street_id": loaded.street.id, "community_id": community.id}
        for i, mobile in zip(chosen, plan.resident_mobiles, strict=True):
            head = families[i][0]
            head.mobile = mobile
            login = DemoLogin(Role.RESIDENT, head.name, mobile, plan.name)
            linked.append(_user(login, household_id=loaded.household_ids[i], **ids))
        i, person = next(
            (i, p)
            for i in mine
            if i not in chosen
            for p in families[i][1:]
            if p.relation in ("配偶", "子女") and 20 <= p.age <= 60 and p.mobile
        )
        person.mobile = plan.pending_mobile
        login = DemoLogin(Role.RESIDENT, person.name, plan.pending_mobile, plan.name)
        pending.append(_user(login, claimed_address=rows[i]["address"], **ids))
    return linked, pending


def _existing_logins(session: Session) -> list[DemoLogin]:
    mobiles = _demo_mobiles()
    users = {u.mobile: u for u in session.exec(select(User).where(col(User.mobile).in_(mobiles)))}
    communities = dict(session.exec(select(Community.id, Community.name)).all())
    streets = dict(session.exec(select(Street.id, Street.name)).all())
    logins = []
    for mobile in mobiles:
        user = users.get(mobile)
        if user is None:
            continue
        if user.community_id is not None:
            where = communities.get(user.community_id, "")
        elif user.street_id is not None:
            where = streets.get(user.street_id, "")
        else:
            where = ""
        logins.append(DemoLogin(Role(user.role), user.name, user.mobile, where))
    return logins


def load_demo(session: Session, scale: float = 1.0) -> list[DemoLogin]:
    """Load the demo street with its communities, places, people and logins, and commit.

    Idempotent: if the demo street already exists, create nothing and return the same logins.
    `scale` multiplies the number of buildings (at least one per compound)."""
    if session.exec(select(Street).where(Street.name == DEMO_STREET)).first() is not None:
        return _existing_logins(session)
    demo_mobiles = _demo_mobiles()
    taken = session.exec(select(User.mobile).where(col(User.mobile).in_(demo_mobiles))).all()
    if taken:
        raise ValueError(f"demo login numbers already in use: {', '.join(sorted(taken))}")

    rng = random.Random(SEED)
    used = set(demo_mobiles)
    used.update(m for m in session.exec(select(Resident.mobile).distinct()).all() if m)
    namer = _Namer(rng, used)

    street = Street(name=DEMO_STREET, district=DEMO_DISTRICT)
    session.add(street)
    session.flush()
    loaded = _Loaded(street, [], [], [], [], [])
    for ci, plan in enumerate(_COMMUNITIES):
        community, rows = _add_places(session, street, plan, scale, namer)
        loaded.communities.append(community)
        loaded.households += rows
        loaded.household_community += [ci] * len(rows)

    add_households = insert(Household).returning(col(Household.id), sort_by_parameter_order=True)
    for chunk in _chunks(loaded.households):
        loaded.household_ids += session.exec(add_households, params=chunk).scalars().all()

    for _ in loaded.households:
        people = _compose(rng)
        _name_family(people, namer)
        loaded.families.append(people)
    linked, pending = _resident_users(loaded, rng)

    extra = random.Random(SEED + 1)  # the person-file details, kept apart from the layout
    ids_used: set[str] = set()
    resident_rows = []
    for household_id, row, people in zip(
        loaded.household_ids, loaded.households, loaded.families, strict=True
    ):
        tenant = extra.random() < 0.12
        moved_in = REFERENCE_DATE - timedelta(days=extra.randint(60, 3000)) if tenant else None
        for person in people:
            resident_rows.append(
                {
                    "household_id": household_id,
                    "community_id": row["community_id"],
                    "name": person.name,
                    "sex": person.sex.value,
                    "birth_date": person.birth_date,
                    "mobile": person.mobile,
                    "mobile_tail": person.mobile[-4:],
                    "id_number": _id_number(extra, person, ids_used)
                    if extra.random() > 0.03
                    else "",
                    "relation": person.relation,
                    "residency": "tenant" if tenant else "permanent",
                    "moved_in": moved_in,
                    **_care_flags(extra, person, alone=len(people) == 1),
                }
            )
    for chunk in _chunks(resident_rows):
        session.exec(insert(Resident), params=chunk)

    users = [
        _user(DemoLogin(Role.ADMIN, *_ADMIN, "")),
        _user(DemoLogin(Role.STREET_STAFF, *_STREET_STAFF, DEMO_STREET), street_id=street.id),
    ]
    for role, attr in ((Role.STAFF, "staff"), (Role.VOLUNTEER, "volunteers")):
        for community, plan in zip(loaded.communities, _COMMUNITIES, strict=True):
            # Volunteers work in the community's grids in turn, so each sees its households.
            grid_ids = session.exec(
                select(Grid.id).where(Grid.community_id == community.id).order_by(col(Grid.id))
            ).all()
            for i, (name, mobile) in enumerate(getattr(plan, attr)):
                login = DemoLogin(role, name, mobile, plan.name)
                grid = {"grid_id": grid_ids[i % len(grid_ids)]} if role == Role.VOLUNTEER else {}
                users.append(_user(login, street_id=street.id, community_id=community.id, **grid))
    users += linked + pending

    password_hash = hash_password(DEMO_PASSWORD)  # once: argon2 is slow on purpose
    for user in users:
        user.password_hash = password_hash
    session.add_all(users)
    session.flush()
    for community, plan in zip(loaded.communities, _COMMUNITIES, strict=True):
        _add_rosters(
            session, community, [u for u in users if u.mobile in dict(plan.volunteers).values()]
        )
    session.commit()
    _screening_round(session, loaded.communities[0], random.Random(SEED + 2))
    _load_supplies(session, loaded.communities[0])
    return _existing_logins(session)


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


def _load_supplies(session: Session, community: Community) -> None:
    """团购 demo for the first community: one buy open for orders, and one whose goods have
    arrived, with orders (the linked residents' among them), pickup numbers and batches, and
    door deliveries for special-care households."""
    from datetime import UTC, datetime

    from app.supplies import service as supplies

    staff = session.exec(select(User).where(User.mobile == _COMMUNITIES[0].staff[0][1])).one()
    compounds = session.exec(
        select(Compound.id).where(Compound.community_id == community.id).order_by(col(Compound.id))
    ).all()
    now = datetime.now(UTC).replace(second=0, microsecond=0)

    def item(name: str, spec: str, price_fen: int, stock: int, limit: int) -> dict[str, Any]:
        return {
            "name": name,
            "spec": spec,
            "price_fen": price_fen,
            "stock": stock,
            "limit_per_household": limit,
        }

    supplies.create_buy(
        session,
        staff,
        saved_id(community),
        {
            "title": "冻肉蔬菜套餐",
            "supplier": "鲜丰食品配送中心",
            "opens_at": now - timedelta(hours=2),
            "closes_at": now + timedelta(days=2),
            "compound_ids": list(compounds),
            "pickup_points": ["各小区东门物资点"],
            "delivery_offered": False,
            "items": [
                item("猪肉", "2kg/袋", 5800, 193, 2),
                item("鸡蛋", "30枚/盒", 2500, 150, 1),
                item("蔬菜包", "5kg/箱", 3000, 300, 2),
            ],
        },
    )
    arrived = supplies.create_buy(
        session,
        staff,
        saved_id(community),
        {
            "title": "大米食用油",
            "supplier": "惠民粮油",
            "opens_at": now - timedelta(days=1),
            "closes_at": now + timedelta(minutes=5),
            "compound_ids": list(compounds),
            "pickup_points": ["望江花园东门", "社区服务中心"],
            "delivery_offered": False,
            "items": [item("大米", "10kg/袋", 6500, 400, 1), item("食用油", "5L/桶", 7900, 300, 1)],
        },
    )
    rice, oil = session.exec(
        select(BuyItem.id).where(BuyItem.buy_id == arrived.id).order_by(col(BuyItem.id))
    ).all()
    residents = session.exec(
        select(User).where(User.community_id == community.id, col(User.household_id).is_not(None))
    ).all()
    for user in residents:
        supplies.place_order(session, user, saved_id(arrived), {rice: 1, oil: 1})
    others = session.exec(
        select(Household.id)
        .where(
            Household.community_id == community.id,
            col(Household.id).not_in([u.household_id for u in residents]),
        )
        .order_by(col(Household.id))
        .limit(60)
    ).all()
    for i, household_id in enumerate(others):
        supplies.place_order(
            session, staff, saved_id(arrived), {rice: 1, oil: i % 2}, household_id=household_id
        )
    arrived.closes_at = now - timedelta(minutes=1)
    session.add(arrived)
    session.commit()
    supplies.generate_batches(
        session,
        staff,
        saved_id(arrived),
        {"batch_size": 10, "slot_minutes": 20, "first_slot_at": now + timedelta(hours=1)},
    )


# ---------------------------------------------------------------- volunteer rosters (issue 6)


def _add_rosters(session: Session, community: Community, volunteers: list[User]) -> None:
    """Posts at the gates and the supply point, shifts for this week (from today, so they are
    never in the past when the demo is shown), a team of three with a leader, a few building
    watchers, and some shifts already taken."""
    from app.volunteers.models import Post, PostKind, Shift, ShiftSignup, Team, TeamMember, Watcher
    from app.volunteers.roster import local_moment

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
