"""The demo's people: names and mobile numbers, families by household, and their person
files (ID numbers, care flags)."""

import random
from dataclasses import dataclass
from datetime import date, timedelta

from app.community.models import Sex
from app.community.service import id_check_code
from app.demo._plan import REFERENCE_DATE

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


class FamilyNamer:
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


def _name_family(people: list[_Person], namer: FamilyNamer) -> None:
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
