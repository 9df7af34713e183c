"""Which actions the browser suite fired: with `EVENT_LOG` set (the browser tests set it), the
app appends one line per event handler it runs and per HTTP route it answers, so a test can
name every action no browser test ever pressed."""

from pathlib import Path

from reflex.middleware.middleware import Middleware
from reflex.state import BaseState, StateUpdate
from reflex_base.event import Event
from starlette.types import ASGIApp, Receive, Scope, Send


def _append(path: Path, line: str) -> None:
    # One short write per line in append mode: lines from several workers do not interleave.
    with path.open("a", encoding="utf-8") as log:
        log.write(line + "\n")


class EventRecorder(Middleware):
    def __init__(self, path: Path) -> None:
        self.path = path

    async def preprocess(self, app, state: BaseState, event: Event) -> StateUpdate | None:
        _append(self.path, "event " + event.name)
        return None


def recording_routes(path: Path, routes: tuple[str, ...]):
    """Wraps an API app: logs `route <path>` for each request to one of `routes`."""

    def wrap(asgi: ASGIApp) -> ASGIApp:
        async def serve(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] == "http" and scope.get("path") in routes:
                _append(path, f"route {scope['method']} {scope['path']}")
            await asgi(scope, receive, send)

        return serve

    return wrap
