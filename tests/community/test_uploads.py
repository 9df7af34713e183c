"""An uploaded roster (full ID numbers) lives only until it is imported or cancelled, or an
hour unused, and only in a folder the app never serves."""

import os
import time
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.testclient import TestClient

from app.app import _fast_pages
from app.community import register_io
from app.errors import ServiceError
from app.settings import get_settings

CSV = "姓名,身份证号\n罗辉,510104198001010011\n".encode()


@pytest.fixture
def upload_dir(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "uploads"
    monkeypatch.setattr(get_settings(), "upload_dir", folder)
    return folder


def _age(path: str, hours: float) -> None:
    then = time.time() - hours * 3600
    os.utime(path, (then, then))


def test_a_kept_upload_is_private_read_again_and_gone_once_discarded(upload_dir):
    path = register_io.keep_upload("社区花名册.CSV", CSV)
    assert Path(path).parent == upload_dir and path.endswith(".csv")
    assert "社区花名册" not in path  # a random name: not guessable from the file's own
    assert upload_dir.stat().st_mode & 0o077 == 0  # only the app's user may read the folder
    assert register_io.read_upload("社区花名册.csv", path).rows == [["罗辉", "510104198001010011"]]
    register_io.discard_upload(path)
    assert list(upload_dir.iterdir()) == []
    register_io.discard_upload(path)  # twice (import done, then the page reloads): no error


def test_housekeeping_removes_uploads_left_an_hour_and_keeps_those_in_use(upload_dir):
    abandoned = register_io.keep_upload("a.csv", CSV)
    in_use = register_io.keep_upload("b.csv", CSV)
    fresh = register_io.keep_upload("c.csv", CSV)
    _age(abandoned, 1.1)
    _age(in_use, 1.1)
    register_io.read_upload("b.csv", in_use)  # checked again a moment ago: in use

    assert register_io.remove_abandoned_uploads() == 1
    assert sorted(upload_dir.iterdir()) == sorted([Path(in_use), Path(fresh)])
    with pytest.raises(ServiceError) as exc:
        register_io.read_upload("a.csv", abandoned)
    assert exc.value.code == "errors.upload_gone"


def test_no_upload_folder_yet_is_nothing_to_remove(upload_dir):
    assert register_io.remove_abandoned_uploads() == 0


def test_reflexs_upload_folder_is_never_served(tmp_path):
    """Reflex mounts its upload folder at /_upload for anyone; the app answers 404 there
    (even for a file someone put in it) and leaves the upload itself (POST /_upload) alone."""
    (tmp_path / "roster.csv").write_bytes(CSV)

    async def received(request):
        return PlainTextResponse("received")

    reflex_like = Starlette(
        routes=[
            Route("/_upload", received, methods=["POST"]),
            Mount("/_upload", StaticFiles(directory=tmp_path)),
            Route("/ping", lambda request: PlainTextResponse("pong")),
        ]
    )
    assert TestClient(reflex_like).get("/_upload/roster.csv").status_code == 200  # as Reflex does
    client = TestClient(_fast_pages(reflex_like))
    assert client.get("/_upload/roster.csv").status_code == 404
    assert client.head("/_upload/roster.csv").status_code == 404
    assert client.post("/_upload").text == "received"
    assert client.get("/ping").text == "pong"
