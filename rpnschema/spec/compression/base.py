"""The base class of the data compression functions kappa: R^m -> R^D."""

from typing import ClassVar

from rpnschema.spec.expansion import Expansion


class Compression(Expansion):
    """A data transformation whose output is (usually) smaller than its input.

    A compression sits wherever an expansion may: the head's ``expansion`` slot and the
    ``functions`` of nested/extended compositions.
    """

    family = "compression"
    #: Whether the function fits state to the data (refits on every batch in tinybig).
    fitted: ClassVar[bool] = False
