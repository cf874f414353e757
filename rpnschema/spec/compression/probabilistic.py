"""Probabilistic compressions: k input values sampled per row. D = k.

tinybig weights each feature by a distribution's density at 0.99 * sigmoid(x) + 0.001, draws k
distinct features per row with torch.multinomial and returns them in column order (the draw is
random: seed torch for reproducible outputs).
"""

from typing import Annotated, Literal

from pydantic import Field, model_validator

from rpnschema.spec.compression.base import Compression

K = Annotated[int, Field(ge=1, description="Features kept per row (D = k <= m).")]

#: torch.distributions classes a spec may name, with their parameters (tinybig's
#: ``distribution_function_configs``; rpnschema never imports a class named by a spec).
DISTRIBUTION_PARAMETERS: dict[str, tuple[str, ...]] = {
    "uniform": ("low", "high"),
    "normal": ("loc", "scale"),
    "cauchy": ("loc", "scale"),
    "chi2": ("df",),
    "exponential": ("rate",),
    "gamma": ("concentration", "rate"),
    "laplace": ("loc", "scale"),
}


class _ProbabilisticCompression(Compression):
    """Sample k features per row, weighted by a distribution's density. D = k."""

    k: K
    simply_sampling: bool = Field(
        default=True, description="Return the sampled raw inputs (else their normalized values)."
    )
    with_replacement: bool = False
    require_normalization: bool = Field(
        default=True, description="Map x to 0.99 * sigmoid(x) + 0.001 before weighting."
    )
    log_prob: bool = Field(
        default=False,
        description="Return log-densities of the sampled values (only without simply_sampling).",
    )

    def distribution_spec(self) -> tuple[str, dict[str, float]]:
        """The torch distribution (lower-case class name) and its parameters."""
        return "uniform", {"low": 0.0, "high": 1.0}


class NaiveProbabilisticCompression(_ProbabilisticCompression):
    """Sampling weighted by any of the supported distributions (default uniform(0, 1))."""

    name: Literal["naive_probabilistic_compression"]
    distribution: Literal[
        "uniform", "normal", "cauchy", "chi2", "exponential", "gamma", "laplace"
    ] = Field(default="uniform", description="torch.distributions class (lower case).")
    distribution_parameters: dict[str, float] = Field(
        default_factory=dict, description="Its parameters; uniform defaults to low 0, high 1."
    )

    @model_validator(mode="after")
    def _known_parameters(self):
        allowed = DISTRIBUTION_PARAMETERS[self.distribution]
        unknown = sorted(set(self.distribution_parameters) - set(allowed))
        if unknown:
            raise ValueError(
                f"{self.distribution} takes the parameters {', '.join(allowed)}, "
                f"not {', '.join(unknown)}"
            )
        missing = [p for p in allowed if p not in self.distribution_parameters]
        if self.distribution != "uniform" and missing:
            raise ValueError(f"{self.distribution} needs the parameters {', '.join(missing)}")
        return self

    def distribution_spec(self) -> tuple[str, dict[str, float]]:
        params = dict(self.distribution_parameters)
        if self.distribution == "uniform":
            params = {"low": params.get("low", 0.0), "high": params.get("high", 1.0)}
        return self.distribution, params


class NaiveUniformProbabilisticCompression(_ProbabilisticCompression):
    """Weights by the uniform(low, high) density (tinybig always normalizes x first)."""

    name: Literal["naive_uniform_probabilistic_compression"]
    low: float = 0.0
    high: float = 1.0

    def distribution_spec(self) -> tuple[str, dict[str, float]]:
        return "uniform", {"low": self.low, "high": self.high}


class NaiveNormalProbabilisticCompression(_ProbabilisticCompression):
    """Weights by the normal(mean, std) density."""

    name: Literal["naive_normal_probabilistic_compression"]
    mean: float = 0.0
    std: Annotated[float, Field(gt=0)] = 1.0

    def distribution_spec(self) -> tuple[str, dict[str, float]]:
        return "normal", {"loc": self.mean, "scale": self.std}


class NaiveCauchyProbabilisticCompression(_ProbabilisticCompression):
    """Weights by the Cauchy(loc, scale) density."""

    name: Literal["naive_cauchy_probabilistic_compression"]
    loc: float = 0.0
    scale: Annotated[float, Field(gt=0)] = 1.0

    def distribution_spec(self) -> tuple[str, dict[str, float]]:
        return "cauchy", {"loc": self.loc, "scale": self.scale}


class NaiveChi2ProbabilisticCompression(_ProbabilisticCompression):
    """Weights by the chi-squared(df) density (tinybig always normalizes x first)."""

    name: Literal["naive_chi2_probabilistic_compression"]
    df: Annotated[float, Field(gt=0)] = 1.0

    def distribution_spec(self) -> tuple[str, dict[str, float]]:
        return "chi2", {"df": self.df}


class NaiveExponentialProbabilisticCompression(_ProbabilisticCompression):
    """Weights by the exponential(rate) density (tinybig always normalizes x first)."""

    name: Literal["naive_exponential_probabilistic_compression"]
    rate: Annotated[float, Field(gt=0)] = 0.5

    def distribution_spec(self) -> tuple[str, dict[str, float]]:
        return "exponential", {"rate": self.rate}


class NaiveGammaProbabilisticCompression(_ProbabilisticCompression):
    """Weights by the gamma(concentration, rate) density (tinybig always normalizes x first)."""

    name: Literal["naive_gamma_probabilistic_compression"]
    concentration: Annotated[float, Field(gt=0)] = 1.0
    rate: Annotated[float, Field(gt=0)] = 1.0

    def distribution_spec(self) -> tuple[str, dict[str, float]]:
        return "gamma", {"concentration": self.concentration, "rate": self.rate}


class NaiveLaplaceProbabilisticCompression(_ProbabilisticCompression):
    """Weights by the Laplace(loc, scale) density."""

    name: Literal["naive_laplace_probabilistic_compression"]
    loc: float = 0.0
    scale: Annotated[float, Field(gt=0)] = 1.0

    def distribution_spec(self) -> tuple[str, dict[str, float]]:
        return "laplace", {"loc": self.loc, "scale": self.scale}


#: Classes whose tinybig constructor ignores ``require_normalization`` (always normalizes).
ALWAYS_NORMALIZED = frozenset(
    {
        "naive_uniform_probabilistic_compression",
        "naive_chi2_probabilistic_compression",
        "naive_exponential_probabilistic_compression",
        "naive_gamma_probabilistic_compression",
    }
)
