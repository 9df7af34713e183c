"""The lab's results (检测结果): a spreadsheet of tube number and result, or one typed in.
All or nothing: a file with one unknown tube or unreadable result writes nothing. A positive
tube puts its people to 待复核 (retested alone) and starts their home quarantine."""

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import update
from sqlmodel import Session, col, select

from app.accounts.models import User
from app.accounts.service import require_role
from app.community import register_io
from app.community.service import audit
from app.db import saved_id
from app.errors import ServiceError
from app.screening.service import start_quarantine
from app.testing.models import Sample, SampleStatus, TestingRound, Tube, TubeResult
from app.timeutil import utcnow

from ._common import PLAN_ROLES, _round

TUBE_HEADERS = {
    "管号",
    "试管编号",
    "采样管号",
    "样本编号",
    "条码",
    "条码号",
    "管码",
    "tube",
    "barcode",
}
RESULT_HEADERS = {"结果", "检测结果", "核酸结果", "result"}
_VALUES = {
    "阴性": TubeResult.NEGATIVE,
    "negative": TubeResult.NEGATIVE,
    "neg": TubeResult.NEGATIVE,
    "-": TubeResult.NEGATIVE,
    "(-)": TubeResult.NEGATIVE,
    "阳性": TubeResult.POSITIVE,
    "positive": TubeResult.POSITIVE,
    "pos": TubeResult.POSITIVE,
    "+": TubeResult.POSITIVE,
    "(+)": TubeResult.POSITIVE,
}
QUARANTINE_REASON = "核酸混管阳性"
_CHUNK = 900  # under SQLite's limit of bound parameters


@dataclass(frozen=True)
class ResultProblem:
    row: int  # the spreadsheet's row number
    code: str  # catalog key
    value: str


class ResultsHaveErrors(ServiceError):
    """The file was not imported; `problems` says row by row why."""

    def __init__(self, problems: list[ResultProblem]):
        super().__init__("errors.results_have_errors", count=len(problems))
        self.problems = problems


@dataclass(frozen=True)
class ResultImport:
    tubes: int  # results newly stored
    negative: int
    positive: int
    unchanged: int  # the same result sent again
    retest: int  # people put to 待复核
    quarantined: list[int] = field(default_factory=list)  # residents whose quarantine started


def _norm(text: str) -> str:
    return text.strip().lower().replace(" ", "").replace("（", "(").replace("）", ")")


def _columns(cells: Sequence[str]) -> tuple[int, int] | None:
    """(tube column, result column) when the row names both."""
    names = [_norm(c) for c in cells]
    tube = next((j for j, n in enumerate(names) if n in TUBE_HEADERS), None)
    result = next((j for j, n in enumerate(names) if n in RESULT_HEADERS), None)
    return None if tube is None or result is None else (tube, result)


def _is_header(cells: Sequence[str]) -> bool:
    # Labs put a title row (a merged "XX检测机构 核酸结果") or notes above the header.
    return _columns(cells) is not None


def import_results(
    session: Session, actor: User | None, round_id: int, filename: str, content: bytes
) -> ResultImport:
    """A lab's .xlsx or .csv: a tube number and a result a row."""
    actor = require_role(actor, *PLAN_ROLES)
    testing_round = _round(session, actor, round_id, open_=False)
    table = register_io.read_table(filename, content, is_header=_is_header)
    columns = _columns(table.headers)
    if columns is None:
        raise ServiceError("errors.result_columns_missing")
    tube_at, result_at = columns
    lines = [
        (number, cells[tube_at], cells[result_at])  # rows are as wide as the header
        for number, cells in zip(table.row_numbers, table.rows, strict=True)
    ]
    return _store(session, actor, testing_round, lines)


def record_result(
    session: Session, actor: User | None, round_id: int, barcode: str, result: str
) -> ResultImport:
    """One result typed in by staff."""
    actor = require_role(actor, *PLAN_ROLES)
    testing_round = _round(session, actor, round_id, open_=False)
    return _store(session, actor, testing_round, [(1, barcode, result)])


def _store(
    session: Session,
    actor: User,
    testing_round: TestingRound,
    lines: Sequence[tuple[int, str, str]],
) -> ResultImport:
    round_id = saved_id(testing_round)
    known = {
        barcode: (tube_id, stored)
        for barcode, tube_id, stored in session.exec(
            select(Tube.barcode, Tube.id, Tube.result).where(Tube.round_id == round_id)
        ).all()
    }
    if not lines:
        raise ServiceError("errors.file_empty")
    problems: list[ResultProblem] = []
    chosen: dict[str, TubeResult] = {}
    unchanged = 0
    for number, raw_tube, raw_result in lines:
        barcode = raw_tube.strip().upper()
        value = _VALUES.get(_norm(raw_result))
        if barcode not in known:
            problems.append(ResultProblem(number, "errors.result_unknown_tube", raw_tube))
        elif value is None:
            problems.append(ResultProblem(number, "errors.result_bad_value", raw_result))
        elif chosen.get(barcode, value) != value:
            problems.append(ResultProblem(number, "errors.result_conflict", raw_tube))
        elif known[barcode][1] not in (None, value):
            problems.append(ResultProblem(number, "errors.result_already_in", raw_tube))
        elif known[barcode][1] == value:
            unchanged += 1
        else:
            chosen[barcode] = value
    if problems:
        raise ResultsHaveErrors(problems)
    now = utcnow()
    by_value: dict[TubeResult, list[int]] = {TubeResult.NEGATIVE: [], TubeResult.POSITIVE: []}
    for barcode, value in chosen.items():
        by_value[value].append(saved_id(known[barcode][0]))
    people: list[int] = []
    status = {TubeResult.NEGATIVE: SampleStatus.NEGATIVE, TubeResult.POSITIVE: SampleStatus.RETEST}
    for value, tube_ids in by_value.items():
        for start in range(0, len(tube_ids), _CHUNK):
            chunk = tube_ids[start : start + _CHUNK]
            session.exec(
                update(Tube).where(col(Tube.id).in_(chunk)).values(result=value, result_at=now)
            )
            session.exec(
                update(Sample).where(col(Sample.tube_id).in_(chunk)).values(status=status[value])
            )
            if value == TubeResult.POSITIVE:
                people += session.exec(
                    select(Sample.resident_id).where(col(Sample.tube_id).in_(chunk))
                ).all()
    started = start_quarantine(session, actor, people, QUARANTINE_REASON) if people else []
    audit(
        session,
        actor,
        testing_round.community_id,
        "testing.results",
        f"testing_round:{round_id}",
        f"{len(chosen)} tubes",
    )
    session.commit()
    return ResultImport(
        tubes=len(chosen),
        negative=len(by_value[TubeResult.NEGATIVE]),
        positive=len(by_value[TubeResult.POSITIVE]),
        unchanged=unchanged,
        retest=len(people),
        quarantined=started,
    )
