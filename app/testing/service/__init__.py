"""Nucleic-acid testing (核酸检测): planning rounds, sites and slots; sampling people into
tubes at a site or at home; the missed list; the lab's results; the board; what a resident
sees. Pages and other domains call these functions.

Every operation is `op(session, actor, ...)`: staff plan, end and import results; the
community's volunteers and staff sample and work the missed list; residents see their own
household."""

from ._common import FIELD_ROLES, IMMOBILE_FLAGS, PLAN_ROLES, READ_ROLES, mask_name
from .board import BuildingTally, CompoundTally, Tally, TestingBoard, board
from .export import EXPORT_HEADERS, round_export
from .home_tasks import (
    HomeTaskView,
    finish_home_task,
    home_tasks,
    request_home_sampling,
    take_home_task,
)
from .missed import (
    MarkInput,
    MissedDoor,
    MissedList,
    MissedPerson,
    clear_mark,
    mark_missed,
    missed_list,
)
from .resident import (
    CodeMember,
    HouseholdCodes,
    MyPerson,
    MyTesting,
    household_codes,
    my_testing,
)
from .results import (
    QUARANTINE_REASON,
    ResultImport,
    ResultProblem,
    ResultsHaveErrors,
    import_results,
    record_result,
)
from .rounds import (
    RoundInput,
    RoundView,
    end_round,
    plan_round,
    round_progress,
    testing_rounds,
)
from .sampling import (
    DoorHousehold,
    DoorPerson,
    TubeInput,
    TubeView,
    close_tube,
    find_door,
    open_tube,
    scan_code,
    scan_member,
    tube_by_barcode,
    tube_state,
    undo_last_scan,
)
from .sites import SiteInput, SiteView, SlotInput, SlotView, add_site, add_slot, sites

__all__ = [
    "EXPORT_HEADERS",
    "FIELD_ROLES",
    "IMMOBILE_FLAGS",
    "PLAN_ROLES",
    "QUARANTINE_REASON",
    "READ_ROLES",
    "BuildingTally",
    "CodeMember",
    "CompoundTally",
    "DoorHousehold",
    "DoorPerson",
    "HomeTaskView",
    "HouseholdCodes",
    "MarkInput",
    "MissedDoor",
    "MissedList",
    "MissedPerson",
    "MyPerson",
    "MyTesting",
    "ResultImport",
    "ResultProblem",
    "ResultsHaveErrors",
    "RoundInput",
    "RoundView",
    "SiteInput",
    "SiteView",
    "SlotInput",
    "SlotView",
    "Tally",
    "TestingBoard",
    "TubeInput",
    "TubeView",
    "add_site",
    "add_slot",
    "board",
    "clear_mark",
    "close_tube",
    "end_round",
    "find_door",
    "finish_home_task",
    "home_tasks",
    "household_codes",
    "import_results",
    "mark_missed",
    "mask_name",
    "missed_list",
    "my_testing",
    "open_tube",
    "plan_round",
    "record_result",
    "request_home_sampling",
    "round_export",
    "round_progress",
    "scan_code",
    "scan_member",
    "sites",
    "take_home_task",
    "tube_by_barcode",
    "tube_state",
    "testing_rounds",
    "undo_last_scan",
]
