"""Invalid input sent to every form handler over the page's websocket (benchmarks/fuzz.py, the
same driver as the benchmark's 10,000 cases): a few hundred cases Hypothesis draws with a fixed
seed, as a logged-in staff member. Every case is answered, none with the unexpected-error
message, none writes a row, and the server logs no stack trace."""

import json
from typing import TYPE_CHECKING

import pytest
from conftest import EVENT_LOG

from app.ui.i18n import translate
from benchmarks.fuzz import FORM_FIELDS, FuzzPhone, Page, form_handlers, fuzz

if TYPE_CHECKING:
    from conftest import AppServer

pytestmark = pytest.mark.e2e
CASES = 300


@pytest.fixture(autouse=True)
def _not_counted_as_fired():
    """The handlers the fuzz sends to do not count as fired by a browser test
    (test_every_action): the log loses this test's lines."""
    size = EVENT_LOG.stat().st_size if EVENT_LOG.exists() else 0
    yield
    if EVENT_LOG.exists():
        with EVENT_LOG.open("r+b") as log:
            log.truncate(size)


def test_the_fuzz_knows_the_fields_of_every_form_handler():
    assert set(form_handlers()) == set(FORM_FIELDS)


def test_invalid_forms_are_refused_without_an_error_a_write_or_a_stack_trace(
    app_server: "AppServer",
):
    report = fuzz(app_server.base_url, app_server.database_url, app_server.log_path, CASES)
    assert report.cases == CASES
    assert report.problems() == [], "\n".join(report.problems()[:20])
    assert len(report.per_handler) > len(FORM_FIELDS) // 2  # the cases reach most handlers


def _texts(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        value = list(value.values())
    return [text for item in value for text in _texts(item)] if isinstance(value, list) else []


def _shown(client: FuzzPhone, event: str, form: dict) -> str:
    """Every text the page receives for `form` (toasts' scripts, field messages), joined."""
    assert client.run(client.send(event, form, Page()), 60) == "ok"
    return "\n".join(_texts(client.answer))


def _says(shown: str, key: str, **params: object) -> bool:
    """Whether the page got the Chinese message `key`: in a field's message as it is, in a
    toast's script \\u-escaped."""
    text = translate("zh", key, **params)
    return text in shown or json.dumps(text)[1:-1] in shown


def test_what_a_refused_form_tells_the_user(app_server: "AppServer"):
    handlers = form_handlers()
    client = FuzzPhone(app_server.base_url)
    try:
        client.run(client.log_in(), 120)
        unreadable = _shown(
            client, handlers["community.PlacesState.add_compound"], {"name": "\ud800"}
        )
        assert _says(unreadable, "errors.unreadable_text")
        # A filter naming no compound is refused, not dropped for an export of everyone.
        export = _shown(
            client, handlers["community.RegisterIoState.export"], {"compound_id": "abc"}
        )
        assert _says(export, "errors.not_found")
        assert "_download" not in export
        too_long = _shown(client, handlers["community.PlacesState.add_grid"], {"name": "格" * 31})
        assert _says(too_long, "errors.too_long", max=30)
        # A list where text goes is not saved as its printed form.
        team = _shown(client, handlers["volunteers.TeamsState.create_team"], {"name": ["队"]})
        assert _says(team, "errors.missing")
    finally:
        client.close()
