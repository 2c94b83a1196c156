"""The API key as a secret: validated locally, and unprintable by accident.

`ApiKey` never shows its value in `repr`, `str`, f-strings, pydantic dumps or a crash
traceback's locals; only `reveal()` gives it, and only the transport calls that. `SecretText`
keeps other text that may hold the key (the config file's) out of sight the same way.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pydantic is only needed when a model holds a key, not at start-up
    from pydantic import GetCoreSchemaHandler
    from pydantic_core import core_schema

KEY_PREFIX = "ft_live_"
KEY_LENGTH = 40  # the prefix and 32 characters, as the vendor's own CLI checks
# The docs say "32 hex characters", but the vendor's CLI checks only the prefix and the
# length: refuse locally only what cannot be a key (a space, a control or non-ASCII
# character cannot travel in the X-API-Key header), and let the server judge the rest.
KEY_PATTERN = re.compile(r"ft_live_[!-~]{32}")
# Anything that looks like a key, for redacting logs and messages: at most a key's
# length, so that what follows a whole key is kept; what is redacted already is left be.
KEY_LIKE = re.compile(r"ft_live_(?!\[redacted\])[!-~]{4,32}")


class KeyFormatError(ValueError):
    """The text given as a key cannot be one: wrong prefix, wrong length, or a space."""

    def __init__(self, reason: str = "keys are ft_live_ followed by 32 characters") -> None:
        super().__init__(
            f"That is not an API key: {reason} (create one under Profile → API on finetuning.ai)."
        )


def _key_problem(text: str) -> str | None:
    """Why `text` cannot be a key, or None when it may be one (the server decides)."""
    if KEY_PATTERN.fullmatch(text):
        return None
    if not text.startswith(KEY_PREFIX):
        return "keys start with ft_live_"
    if any(not ("!" <= c <= "~") for c in text):
        return "a key has no spaces, control or non-ASCII characters"
    return f"keys are ft_live_ followed by 32 characters ({KEY_LENGTH} in all), not {len(text)}"


class SecretText:
    """Text that may hold a key (the config file's content, a value typed or read): its
    `repr` and `str` never show it, so no traceback's locals can."""

    __slots__ = ("__value",)

    def __init__(self, value: str) -> None:
        self.__value = value

    def reveal(self) -> str:
        return self.__value

    def __bool__(self) -> bool:
        """Whether it holds anything but whitespace."""
        return bool(self.__value.strip())

    def __repr__(self) -> str:
        return "SecretText('…')"

    __str__ = __repr__

    def __reduce__(self) -> Any:
        raise TypeError("secret text is not picklable")


class ApiKey:
    """A validated API key. Compare, hash and reveal it; never print it."""

    __slots__ = ("__value",)

    def __init__(self, value: str | SecretText) -> None:
        text = (value.reveal() if isinstance(value, SecretText) else value).strip()
        problem = _key_problem(text)
        if problem is not None:
            # A refused key may be a real one mistyped: keep it out of this frame's
            # locals, which a traceback would show.
            del value, text
            raise KeyFormatError(problem)
        self.__value = text

    def reveal(self) -> str:
        """The key itself, for the X-API-Key header and the config file only."""
        return self.__value

    @property
    def masked(self) -> str:
        """A form safe to show: the prefix and the last four characters."""
        # getattr: a key refused in `__init__` has no value, and may still be shown.
        return f"ft_live_…{getattr(self, '_ApiKey__value', '')[-4:]}"

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
