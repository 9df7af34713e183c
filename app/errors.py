"""Errors a service raises for the user to read: a catalog key, its params, and the field."""

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)


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


class InvalidInput(ServiceError):
    """One or more fields are wrong; `fields` maps field name to catalog key."""

    def __init__(self, fields: dict[str, str]):
        super().__init__("errors.invalid_input")
        self.fields = fields


def parse(model: type[M], data: dict[str, Any]) -> M:
    """Validate input with pydantic, turning its errors into catalog keys per field.

    Validators raise `PydanticCustomError("some_key", ...)`; built-in checks map to
    `errors.<type>` (errors.missing, errors.string_too_long ...)."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        fields: dict[str, str] = {}
        for err in exc.errors():
            name = str(err["loc"][0]) if err["loc"] else "_"
            fields.setdefault(name, f"errors.{err['type']}")
        raise InvalidInput(fields) from None
