"""The search-space format: pydantic models of a space document. No torch.

A space is a base spec plus *dimensions*, each addressed by a spec path (``layers/0/n``,
``layers/0/heads/0/expansion``) and each one of:

- a list of values (``[1, 2, 3]``, or ``{values: [...]}``): a categorical choice;
- an integer or float range (``{int: [8, 64], log: true}``, ``{float: [0.1, 1.0]}``, or the
  compact strings ``"int[8..64]"``, ``"int[8..64:log]"``, ``"float[0.1..1.0]"``);
- a choice of components (``{choice: {taylor_expansion: {d: [1, 2]}, identity_expansion: {}}}``),
  each with a sub-space of its parameters (values, ranges or fixed values);
- a tie (``{tie: layers/0/n}``): the value drawn for another dimension.

Budgets (``max_parameters``, ``max_flops``, ``max_memory``) prune candidates statically.
"""

from __future__ import annotations

import math
import re
from typing import Annotated, Any, Literal, Union

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    model_validator,
)

SPACE_VERSION = 1

#: ``int[3..8]``, ``int[8..64:log]``, ``int[0..100:step=10]``, ``float[0.001..0.1:log]``.
RANGE_TEXT = re.compile(
    r"^(?P<kind>int|float)\[\s*(?P<low>[-+0-9.eE]+)\s*\.\.\s*(?P<high>[-+0-9.eE]+)\s*"
    r"(?::\s*(?P<opt>log|step=\d+))?\s*\]$"
)
#: The keys that say which kind of dimension a mapping is.
KIND_KEYS = ("values", "int", "float", "choice", "tie")


class _Node(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Values(_Node):
    """A categorical choice among the listed values."""

    values: Annotated[list[Any], Field(min_length=1, description="The values to choose from.")]

    @property
    def size(self) -> int | None:
        return len(self.values)


class IntRange(_Node):
    """Every integer from low to high (inclusive), every ``step``-th; ``log`` samples on a
    log scale (needs low >= 1 and step 1)."""

    int_: Annotated[
        list[int],
        Field(alias="int", min_length=2, max_length=2, description="[low, high], both included."),
    ]
    step: Annotated[int, Field(ge=1, description="Distance between values.")] = 1
    log: Annotated[bool, Field(description="Sample on a log scale.")] = False

    model_config = ConfigDict(populate_by_name=True)

    @model_validator(mode="after")
    def _check(self) -> IntRange:
        low, high = self.int_
        if low > high:
            raise ValueError(f"int (={[low, high]}) needs low <= high")
        if self.log and (low < 1 or self.step != 1):
            raise ValueError(f"int (={[low, high]}) on a log scale needs low >= 1 and step 1")
        return self

    @property
    def low(self) -> int:
        return self.int_[0]

    @property
    def high(self) -> int:
        return self.int_[1]

    @property
    def size(self) -> int | None:
        return (self.high - self.low) // self.step + 1

    def at(self, index: int) -> int:
        return self.low + index * self.step


class FloatRange(_Node):
    """A real interval [low, high]; ``log`` samples on a log scale (needs low > 0)."""

    float_: Annotated[
        list[float],
        Field(alias="float", min_length=2, max_length=2, description="[low, high], both included."),
    ]
    log: Annotated[bool, Field(description="Sample on a log scale.")] = False

    model_config = ConfigDict(populate_by_name=True)

    @model_validator(mode="after")
    def _check(self) -> FloatRange:
        low, high = self.float_
        if not (math.isfinite(low) and math.isfinite(high)) or low > high:
            raise ValueError(f"float (={[low, high]}) needs finite low <= high")
        if self.log and low <= 0:
            raise ValueError(f"float (={[low, high]}) on a log scale needs low > 0")
        return self

    @property
    def low(self) -> float:
        return self.float_[0]

    @property
    def high(self) -> float:
        return self.float_[1]

    @property
    def size(self) -> int | None:
        return 1 if self.low == self.high else None  # continuous


class Fixed(_Node):
    """One value (a component parameter written as a plain scalar in a sub-space)."""

    fixed: Any

    @property
    def size(self) -> int | None:
        return 1


def _shorthand(value: Any) -> Any:
    """The compact forms as their mappings: a list is ``values``, a range string a range, any
    other scalar a fixed value."""
    if isinstance(value, list):
        return {"values": value}
    if isinstance(value, str):
        m = RANGE_TEXT.match(value.strip())
        if m:
            kind, opt = m["kind"], m["opt"] or ""
            cast = int if kind == "int" else float
            try:
                bounds = [cast(m["low"]), cast(m["high"])]
            except ValueError:
                return {"fixed": value}
            out: dict[str, Any] = {kind: bounds}
            if opt == "log":
                out["log"] = True
            elif opt.startswith("step="):
                out["step"] = int(opt.removeprefix("step="))
            return out
    if not isinstance(value, dict):
        return {"fixed": value}
    return value


def _param_kind(value: Any) -> str:
    if isinstance(value, dict):
        for key in ("values", "int", "float", "fixed"):
            if key in value:
                return key
    return "fixed"


#: A component parameter in a sub-space: fixed, a list of values, or a range.
Param = Annotated[
    Union[  # noqa: UP007 - tagged union members
        Annotated[Values, Tag("values")],
        Annotated[IntRange, Tag("int")],
        Annotated[FloatRange, Tag("float")],
        Annotated[Fixed, Tag("fixed")],
    ],
    Discriminator(_param_kind),
    BeforeValidator(lambda v: _one_kind(_shorthand(v), ("values", "int", "float", "fixed"))),
]


class Choice(_Node):
    """A choice among catalog components, each with a sub-space of its parameters."""

    choice: Annotated[
        dict[str, Annotated[dict[str, Param], BeforeValidator(lambda v: {} if v is None else v)]],
        Field(
            min_length=1,
            description="Component name -> its parameters: fixed values, lists or ranges "
            "(an empty mapping keeps every default).",
        ),
    ]

    @property
    def size(self) -> int | None:
        total = 0
        for params in self.choice.values():
            sizes = [p.size for p in params.values()]
            if None in sizes:
                return None
            total += math.prod(s for s in sizes if s is not None)
        return total


class Tie(_Node):
    """The value drawn for another dimension (its path)."""

    tie: Annotated[str, Field(min_length=1, description="The path of another dimension.")]

    @property
    def size(self) -> int | None:
        return 1


def _dimension_kind(value: Any) -> str:
    if isinstance(value, dict):
        present = [k for k in KIND_KEYS if k in value]
        if len(present) == 1:
            return present[0]
        if "fixed" in value and not present:
            return "values"
    return "values"


def _one_kind(value: Any, kinds: tuple[str, ...]) -> Any:
    """A mapping must say which kind it is with exactly one of ``kinds``."""
    if isinstance(value, dict):
        present = [k for k in kinds if k in value]
        if len(present) != 1:
            found = ", ".join(present) if present else "none of them"
            raise ValueError(f"needs exactly one of {', '.join(kinds)}; found {found}")
    return value


def _dimension_shorthand(value: Any) -> Any:
    value = _shorthand(value)
    if isinstance(value, dict) and set(value) != {"fixed"}:
        _one_kind(value, KIND_KEYS)
    if isinstance(value, dict) and set(value) == {"fixed"}:
        return {"values": [value["fixed"]]}
    return value


#: One dimension of a space.
Dimension = Annotated[
    Union[  # noqa: UP007 - tagged union members
        Annotated[Values, Tag("values")],
        Annotated[IntRange, Tag("int")],
        Annotated[FloatRange, Tag("float")],
        Annotated[Choice, Tag("choice")],
        Annotated[Tie, Tag("tie")],
    ],
    Discriminator(_dimension_kind),
    BeforeValidator(_dimension_shorthand),
]


class Budgets(_Node):
    """Candidates above a budget are pruned before any trial runs."""

    max_parameters: Annotated[int, Field(ge=1, description="Most parameters.")] | None = None
    max_flops: (
        Annotated[int, Field(ge=1, description="Most FLOPs of one forward pass of `batch` inputs.")]
        | None
    ) = None
    max_memory: (
        Annotated[
            int,
            Field(ge=1, description="Most bytes of parameter memory (parameters x dtype size)."),
        ]
        | None
    ) = None
    batch: Annotated[int, Field(ge=1, description="Batch size max_flops is counted for.")] = 1


class SpaceSpec(_Node):
    """A search space: a base spec and the dimensions that vary it."""

    space_version: Annotated[Literal[1], Field(description="Search-space format version.")] = (
        SPACE_VERSION
    )
    name: Annotated[str, Field(description="Name of the space (used for studies).")] = "space"
    base: Annotated[
        str | dict[str, Any],
        Field(description="The base spec: a mapping, or a spec file relative to this file."),
    ]
    dimensions: Annotated[
        dict[str, Dimension],
        Field(
            min_length=1,
            description="Spec path (`layers/0/heads/0/expansion`) -> how it varies.",
        ),
    ]
    budgets: Budgets = Field(default_factory=Budgets, description="Static budgets.")
