"""The house's rules that import-linter cannot check: no module grows past what a reader takes
in, and no domain reaches for another domain's private names."""

import ast
from pathlib import Path

APP = Path(__file__).resolve().parents[1] / "app"
MAX_LINES = 700
MODULES = sorted(APP.rglob("*.py"))


def _domain(module: str) -> str:
    """`app.screening.service.visits` → `screening`; `app.db` → `db`."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def test_no_module_is_longer_than_a_reader_takes_in():
    too_long = {
        str(path.relative_to(APP)): lines
        for path in MODULES
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert not too_long, f"split these by sub-area: {too_long}"


def test_no_domain_imports_another_domains_private_names():
    breaches = []
    for path in MODULES:
        here = _domain(".".join(("app", *path.relative_to(APP).with_suffix("").parts)))
        breaches += [
            f"{path.relative_to(APP)}:{node.lineno} imports {alias.name} from {node.module}"
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("app.")
            if _domain(node.module) != here
            for alias in node.names
            if alias.name.startswith("_")
        ]
    assert not breaches, breaches
