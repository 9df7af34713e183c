"""Errors a service raises for the user to read: a catalog key, its params, and the field."""

from typing import Annotated, Any, TypeVar

from pydantic import AfterValidator, BaseModel, ValidationError
from pydantic_core import PydanticCustomError

M = TypeVar("M", bound=BaseModel)

# Row ids fit the databases' 32-bit integer keys: a larger number names no row, and the
# driver would overflow on it instead of finding nothing.
MAX_ID = 2**31 - 1


def _known_id(value: int) -> int:
    if not 0 < value <= MAX_ID:
        raise PydanticCustomError("not_found", "no such row")
    return value


RowId = Annotated[int, AfterValidator(_known_id)]


class ServiceError(Exception):
    """Something the user can fix or must be told; `code` is an i18n catalog key."""

    def __init__(self, code: str, field: str | None = None, **params: Any):
        super().__init__(code)
        self.code = code
        self.field = field
        self.params = params


class Forbidden(ServiceError):
    def __init__(self, code: str = "errors.forbidden"):
        super().__init__(code)


class LoginRequired(ServiceError):
    """The tab's login has ended (expired, signed out elsewhere, account disabled)."""

    def __init__(self):
        super().__init__("login.expired")


class InvalidInput(ServiceError):
    """One or more fields are wrong; `fields` maps field name to catalog key, and
    `field_params` a field to its key's values (a length limit: `{"max": 30}`)."""

    def __init__(
        self, fields: dict[str, str], field_params: dict[str, dict[str, Any]] | None = None
    ):
        super().__init__("errors.invalid_input")
        self.fields = fields
        self.field_params = field_params or {}

    def renamed(self, prefix: str) -> "InvalidInput":
        """The same errors with each field name prefixed (a row of a list: `people.0.`)."""
        return InvalidInput(
            {prefix + name: code for name, code in self.fields.items()},
            {prefix + name: params for name, params in self.field_params.items()},
        )

    def merged(self, other: "InvalidInput") -> "InvalidInput":
        """Both sets of errors; on the same field, this one's."""
        return InvalidInput(
            other.fields | self.fields,
            {**other.field_params, **self.field_params},
        )


def parse(model: type[M], data: dict[str, Any]) -> M:
    """Validate input with pydantic, turning its errors into catalog keys per field.

    Validators raise `PydanticCustomError("some_key", ...)`; built-in checks map to
    `errors.<type>` (errors.missing, errors.string_too_long ...)."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        fields: dict[str, str] = {}
        params: dict[str, dict[str, Any]] = {}
        for err in exc.errors():
            name = str(err["loc"][0]) if err["loc"] else "_"
            if name in fields:
                continue
            fields[name] = f"errors.{err['type']}"
            if values := _message_params(err.get("ctx") or {}):
                params[name] = values
        raise InvalidInput(fields, params) from None


def _message_params(ctx: dict[str, Any]) -> dict[str, Any]:
    """The values a message shows, from a pydantic error's context (`max_length` of the
    built-in length check is the catalogs' `{max}`)."""
    values = {k: v for k, v in ctx.items() if isinstance(v, int | float | str)}
    if "max_length" in values:
        values["max"] = values.pop("max_length")
    return values
