"""The register's columns as the template, the import and the export name them."""

from __future__ import annotations

from dataclasses import dataclass

from app.community.models import Residency, Sex

DATA_SHEET = "人员情况摸底表"
HELP_SHEET = "填写说明"


@dataclass(frozen=True)
class RosterColumn:
    key: str
    zh: str  # the header the template and exports use
    en: str
    required: bool = False
    synonyms: tuple[str, ...] = ()
    width: int = 10  # in characters, for templates and exports
    help: str = ""  # 填写说明
    example: str = ""


_YES_NO = "填“是”或“否”（也可填 Y/N、1/0、√），不填视为“否”。"

ROSTER_COLUMNS: tuple[RosterColumn, ...] = (
    RosterColumn(
        "compound",
        "小区",
        "Compound",
        True,
        (
            "小区/院落",
            "院落",
            "小区名称",
            "小区名",
            "小区(院落)",
            "所属小区",
            "estate",
            "compound name",
            "residential compound",
        ),
        14,
        "小区或院落的名称，须与系统中本社区的小区名称一致。",
        "望江花园",
    ),
    RosterColumn(
        "building",
        "楼栋",
        "Building",
        True,
        ("楼栋号", "楼号", "栋", "幢", "楼幢", "栋号", "bldg", "block", "building no"),
        7,
        "楼栋号，填“3”“3栋”“3号楼”均可；楼栋须已在系统中建好。",
        "3",
    ),
    RosterColumn(
        "unit",
        "单元",
        "Unit",
        True,
        ("单元号", "unit no", "stairwell", "entrance"),
        7,
        "单元号，填“2”或“2单元”均可；单元须已在系统中建好。",
        "2",
    ),
    RosterColumn(
        "door",
        "门牌号",
        "Door",
        True,
        ("房号", "房间号", "门牌", "户号", "室", "room", "door no", "flat", "apartment"),
        8,
        "房号，如“501”；系统中还没有的房号会在导入时新建。",
        "501",
    ),
    RosterColumn(
        "name",
        "姓名",
        "Name",
        True,
        ("居民姓名", "人员姓名", "full name", "resident name"),
        9,
        "居民姓名。同一户里不能有两个同名的人。",
        "张伟",
    ),
    RosterColumn(
        "sex",
        "性别",
        "Sex",
        True,
        ("gender",),
        5,
        "填“男”或“女”；填了身份证号的，须与身份证号一致。",
        "男",
    ),
    RosterColumn(
        "birth_date",
        "出生日期",
        "Date of birth",
        False,
        ("出生年月日", "出生年月", "生日", "birth date", "birthday", "dob", "born"),
        12,
        "如 1985-03-15；填了身份证号的可以不填，系统按身份证号补上。",
        "1985-03-15",
    ),
    RosterColumn(
        "mobile",
        "手机号",
        "Mobile",
        False,
        (
            "联系电话",
            "手机号码",
            "手机",
            "电话",
            "联系方式",
            "phone",
            "mobile number",
            "mobile phone",
            "tel",
        ),
        14,
        "11位手机号。请把这一列设成“文本”格式。",
        "13881234567",
    ),
    RosterColumn(
        "id_number",
        "身份证号",
        "ID number",
        False,
        (
            "身份证号码",
            "公民身份号码",
            "身份证",
            "证件号码",
            "证件号",
            "id no",
            "id card",
            "id card number",
            "id",
        ),
        21,
        "18位居民身份证号。请先把这一列设成“文本”格式再填写，否则 Excel 会把后几位变成 0。",
        "510104198503152311",
    ),
    RosterColumn(
        "relation",
        "与户主关系",
        "Relation to head",
        False,
        ("户主关系", "关系", "家庭关系", "relation", "relationship"),
        10,
        "户主、配偶、子女、父母、孙子女、儿媳、女婿、租客等。",
        "户主",
    ),
    RosterColumn(
        "residency",
        "居住类型",
        "Residency",
        False,
        (
            "居住情况",
            "居住性质",
            "居住状态",
            "人员类型",
            "常住/租住",
            "residence type",
            "residence",
        ),
        9,
        "填“常住”或“租住”，不填视为“常住”。",
        "常住",
    ),
    RosterColumn(
        "moved_in",
        "迁入日期",
        "Moved in",
        False,
        (
            "迁入时间",
            "入住日期",
            "入住时间",
            "搬入日期",
            "move in",
            "move in date",
            "moved in date",
        ),
        12,
        "租住或新搬来的人员填写，如 2024-03-01。",
        "",
    ),
    RosterColumn(
        "moved_out",
        "迁出日期",
        "Moved out",
        False,
        ("迁出时间", "搬离日期", "搬出日期", "move out", "move out date", "moved out date"),
        12,
        "已搬走的人员填写搬走的日期；不能早于迁入日期。",
        "",
    ),
    RosterColumn(
        "elderly_alone",
        "独居老人",
        "Elderly living alone",
        False,
        ("独居", "空巢独居", "独居老年人", "living alone", "elderly alone", "lives alone"),
        9,
        "是否独居老人。" + _YES_NO,
        "否",
    ),
    RosterColumn(
        "pregnant",
        "孕妇",
        "Pregnant",
        False,
        ("孕产妇", "怀孕", "pregnancy", "pregnant woman"),
        6,
        "是否孕妇（男性不能填“是”）。" + _YES_NO,
        "否",
    ),
    RosterColumn(
        "disabled",
        "残疾人",
        "Disabled",
        False,
        ("残疾", "disability"),
        7,
        "是否残疾人。" + _YES_NO,
        "否",
    ),
    RosterColumn(
        "chronic_illness",
        "慢性病",
        "Chronic illness",
        False,
        ("慢病", "慢性病患者", "基础病", "chronic", "chronic disease"),
        7,
        "是否患有慢性病（高血压、糖尿病等）。" + _YES_NO,
        "否",
    ),
    RosterColumn(
        "child_without_carer",
        "无人照料儿童",
        "Child without carer",
        False,
        ("无人看护儿童", "无人照顾儿童", "unattended child", "child without care"),
        12,
        "是否无人照料的儿童（如父母被隔离）。" + _YES_NO,
        "否",
    ),
    RosterColumn(
        "no_smartphone",
        "无智能手机",
        "No smartphone",
        False,
        ("没有智能手机", "无智能机", "不会用智能手机", "no smart phone", "without smartphone"),
        10,
        "是否没有智能手机（需要工作人员代为操作）。" + _YES_NO,
        "否",
    ),
)
COLUMN_BY_KEY = {c.key: c for c in ROSTER_COLUMNS}
PLACE_KEYS = ("compound", "building", "unit", "door")
PERSON_KEYS = tuple(c.key for c in ROSTER_COLUMNS if c.key not in PLACE_KEYS)
DATE_KEYS = ("birth_date", "moved_in", "moved_out")
# For people already registered, a blank cell in these columns keeps what the register
# holds (a partial sheet must not wipe numbers); a blank care flag is 否, as the template says.
KEEP_WHEN_BLANK = (
    "birth_date",
    "mobile",
    "id_number",
    "relation",
    "residency",
    "moved_in",
    "moved_out",
)
TEXT_KEYS = ("mobile", "id_number")  # stored as text so Excel keeps every digit
MAX_LENGTHS = {"name": 30, "relation": 20}  # the register's column sizes
SEX_LABEL = {Sex.MALE: "男", Sex.FEMALE: "女"}
RESIDENCY_LABEL = {Residency.PERMANENT: "常住", Residency.TENANT: "租住"}
