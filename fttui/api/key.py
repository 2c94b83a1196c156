"""The API key as a secret: validated locally, and unprintable by accident.

`ApiKey` never shows its value in `repr`, `str`, f-strings, pydantic dumps or a crash
traceback's locals; only `reveal()` gives it, and only the transport calls that.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pydantic is only needed when a model holds a key, not at start-up
    from pydantic import GetCoreSchemaHandler
    from pydantic_core import core_schema

KEY_PATTERN = re.compile(r"ft_live_[0-9a-fA-F]{32}")
# Anything that looks like a key, for redacting logs and messages.
KEY_LIKE = re.compile(r"ft_live_[0-9a-zA-Z]{4,}")


class KeyFormatError(ValueError):
    """The text given as a key is not of the form `ft_live_` + 32 hex characters."""

    def __init__(self) -> None:
        super().__init__(
            "That is not an API key: keys start with ft_live_ followed by 32 hex characters "
            "(create one under Profile → API on finetuning.ai)."
        )


class ApiKey:
    """A validated API key. Compare, hash and reveal it; never print it."""

    __slots__ = ("__value",)

    def __init__(self, value: str) -> None:
        value = value.strip()
        if not KEY_PATTERN.fullmatch(value):
            raise KeyFormatError()
        self.__value = value

    def reveal(self) -> str:
        """The key itself, for the X-API-Key header and the config file only."""
        return self.__value

    @property
    def masked(self) -> str:
        """A form safe to show: the prefix and the last four characters."""
        return f"ft_live_…{self.__value[-4:]}"

    def __repr__(self) -> str:
        return f"ApiKey({self.masked!r})"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ApiKey) and other.__value == self.__value

    def __hash__(self) -> int:
        return hash(self.__value)

    def __reduce__(self) -> Any:
        raise TypeError("an API key is not picklable")

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: type[Any], handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        from pydantic_core import core_schema

        def _coerce(value: Any) -> ApiKey:
            if isinstance(value, ApiKey):
                return value
            if isinstance(value, str):
                return ApiKey(value)
            raise KeyFormatError()

        return core_schema.no_info_plain_validator_function(
            _coerce,
            serialization=core_schema.plain_serializer_function_ser_schema(lambda k: k.masked),
        )


def redact(text: str) -> str:
    """Replace anything shaped like a key in `text`."""
    return KEY_LIKE.sub("ft_live_[redacted]", text)
