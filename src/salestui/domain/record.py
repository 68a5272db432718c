"""`Record`: an immutable value class for what `salestui log` loads, without `dataclasses`.

`dataclasses` imports `inspect` (with `ast`, `dis`, `tokenize`): about 8 ms, paid again on
every press of a key bound to `salestui log call`, which runs in about 30. A `Record`
subclass names its fields in `__match_args__` and `__slots__`, sets them in its own
`__init__` (through `object.__setattr__`) and behaves like a `@dataclass(frozen=True,
slots=True)`: equal to a record of the same class with equal fields, hashable, the same
repr, no assignment. `dataclasses.fields`, `asdict` and `replace` take it too, importing
`dataclasses` only when they are called.
"""

from __future__ import annotations

TYPE_CHECKING = False  # `typing` itself costs 2 ms: its names are for mypy alone here
if TYPE_CHECKING:
    from dataclasses import Field
    from typing import Any


class _Fields:
    """`__dataclass_fields__`, worked out on first use from the class's `__slots__`."""

    def __init__(self) -> None:
        self.by_class: dict[type[Record], dict[str, Field[Any]]] = {}

    def __get__(self, instance: object, owner: type[Record]) -> dict[str, Field[Any]]:
        fields = self.by_class.get(owner)
        if fields is None:
            from dataclasses import fields as fields_of
            from dataclasses import make_dataclass

            twin = make_dataclass(owner.__name__, owner.__slots__, frozen=True)
            fields = self.by_class[owner] = {field.name: field for field in fields_of(twin)}
        return fields


class Record:
    """An immutable record whose fields are its class's `__slots__`, in order."""

    __slots__: tuple[str, ...] = ()
    __dataclass_fields__ = _Fields()

    def values(self) -> tuple[Any, ...]:
        """The fields' values, in `__slots__` order."""
        return tuple(getattr(self, name) for name in self.__slots__)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Record) and other.__class__ is self.__class__:
            return self.values() == other.values()
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.values())

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__slots__)
        return f"{type(self).__qualname__}({fields})"

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"cannot delete field {name!r}")

    def __getstate__(self) -> tuple[Any, ...]:
        return self.values()

    def __setstate__(self, state: tuple[Any, ...]) -> None:  # copy and pickle
        for name, value in zip(self.__slots__, state, strict=True):
            object.__setattr__(self, name, value)
