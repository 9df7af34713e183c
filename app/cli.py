"""Command line: migrate the database, load the demo community, create the first admin,
remove what is stale.

python -m app.cli migrate
python -m app.cli load-demo
python -m app.cli create-admin --name 张三 --mobile 13800000000   (asks for the password)
python -m app.cli housekeeping   (the running app also does this every hour)
"""

import argparse
import getpass
import os
import sys

from alembic.config import Config

from alembic import command
from app.settings import PROJECT_ROOT


def migrate(url: str | None = None) -> None:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    if url:
        config.attributes["url"] = url
    command.upgrade(config, "head")


def _load_demo() -> None:
    from app.db import session_scope
    from app.demo import DEMO_PASSWORD, load_demo
    from app.ui.i18n import translate

    with session_scope() as db:
        logins = load_demo(db)
    print(f"Demo logins (password {DEMO_PASSWORD}) / 演示账号（密码 {DEMO_PASSWORD}）:")
    for login in logins:
        role = translate("zh", f"role.{login.role.value}")
        print(f"  {login.mobile}  {role:<8} {login.name:<6} {login.community}")


def _create_admin(name: str, mobile: str) -> int:
    from app.accounts.service import create_first_admin
    from app.db import session_scope
    from app.errors import InvalidInput, ServiceError
    from app.ui.i18n import translate

    password = os.environ.get("ADMIN_PASSWORD") or getpass.getpass("密码 / Password: ")
    with session_scope() as db:
        try:
            create_first_admin(db, name, mobile, password)
        except ServiceError as exc:
            details = exc.fields if isinstance(exc, InvalidInput) else {}
            print(translate("zh", exc.code, **exc.params), file=sys.stderr)
            for field, code in details.items():
                params = exc.field_params.get(field, {}) if isinstance(exc, InvalidInput) else {}
                print(f"  {field}: {translate('zh', code, **params)}", file=sys.stderr)
            return 1
    print(f"管理员已创建 / Admin created: {mobile}")
    return 0


def _housekeeping() -> None:
    from app.db import session_scope
    from app.housekeeping import clean

    with session_scope() as db:
        removed = clean(db)
    print(
        f"已删除 / Removed: {removed.sessions} expired sessions, "
        f"{removed.login_attempts} login attempts, {removed.signup_attempts} sign-up attempts, "
        f"{removed.uploads} abandoned uploads"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m app.cli")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="bring the database schema up to date")
    sub.add_parser("load-demo", help="load the demo street (idempotent) and print its logins")
    admin = sub.add_parser("create-admin", help="create the first administrator")
    admin.add_argument("--name", required=True)
    admin.add_argument("--mobile", required=True)
    sub.add_parser(
        "housekeeping",
        help="remove expired sessions, old login attempts and abandoned uploads",
    )
    args = parser.parse_args(argv)
    if args.command == "migrate":
        migrate()
    elif args.command == "load-demo":
        _load_demo()
    elif args.command == "housekeeping":
        _housekeeping()
    else:
        return _create_admin(args.name, args.mobile)
    return 0


if __name__ == "__main__":
    sys.exit(main())
