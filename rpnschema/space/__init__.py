"""Architecture search spaces: a base spec plus typed dimensions, checked and pruned statically.

    from rpnschema.space import load_space

    space = load_space("examples/search/digits.space.yaml")
    space.size                       # number of candidates (None if a dimension is continuous)
    space.analyze()                  # valid / over budget / invalid, and why
    accepted, draws = space.sample(5, seed=0)
    spec = space.suggest(trial)      # Optuna, define-by-run; prunes before the objective runs

No torch is imported here; Optuna only by :meth:`Space.suggest`.
"""

from rpnschema.space.analysis import Analysis as Analysis
from rpnschema.space.candidates import Verdict as Verdict
from rpnschema.space.check import Space as Space
from rpnschema.space.check import SpaceResult as SpaceResult
from rpnschema.space.check import check_space_data as check_space_data
from rpnschema.space.check import check_space_file as check_space_file
from rpnschema.space.check import load_space as load_space
from rpnschema.space.model import SpaceSpec as SpaceSpec

__all__ = [
    "Analysis",
    "Space",
    "SpaceResult",
    "SpaceSpec",
    "Verdict",
    "check_space_data",
    "check_space_file",
    "load_space",
]
