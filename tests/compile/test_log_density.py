"""The closed-form log-densities of the probabilistic expansions equal torch.distributions'
``log_prob`` bit for bit, values and gradients, on every parameter the kernels use."""

from __future__ import annotations

import pytest
import torch
from torch import distributions as dist

from rpnschema.compile.kernels import log_density

LOC_SCALE = ((0.0, 1.0), (1.0, 1.0), (-1.0, 1.0), (0.0, 0.1), (1.0, 0.1), (-1.0, 0.1))
LOC_SCALE += ((0.0, 0.5), (1.0, 0.5), (-1.0, 0.5), (0.0, 2.0), (1.0, 2.0), (-1.0, 2.0))
GAMMA = ((0.5, 1.0), (0.5, 2.0), (1.0, 1.0), (1.0, 2.0), (2.0, 1.0), (2.0, 2.0))
RATES = (0.5, 0.75, 1.0, 2.0, 3.0, 5.0)


def _p(v: float, x: torch.Tensor) -> torch.Tensor:
    return torch.tensor([v], dtype=x.dtype)


def _inputs(dtype: torch.dtype, positive: bool) -> torch.Tensor:
    g = torch.Generator().manual_seed(3)
    x = torch.randn(17, 5, generator=g, dtype=dtype) * 3
    edge = torch.tensor([0.0, -0.0, 1.0, -1.0, 1e-30, -1e-30, 50.0, -50.0, 0.1, 2.0], dtype=dtype)
    x = torch.cat([x.flatten(), edge])
    if positive:  # gamma, chi2, exponential see 0.99 sigmoid(x) + 0.001
        x = 0.99 * torch.sigmoid(x) + 0.001
    return x.view(-1, 5).clone()


def _same(ours, theirs, positive: bool, dtype: torch.dtype) -> None:
    x1 = _inputs(dtype, positive).requires_grad_()
    x2 = x1.detach().clone().requires_grad_()
    y1, y2 = ours(x1), theirs(x2)
    assert y1.dtype == y2.dtype and y1.shape == y2.shape
    assert torch.equal(y1, y2)
    g = torch.randn(y1.shape, dtype=dtype, generator=torch.Generator().manual_seed(4))
    (gx1,) = torch.autograd.grad(y1, x1, g)
    (gx2,) = torch.autograd.grad(y2, x2, g)
    assert torch.equal(gx1, gx2)


DTYPES = (torch.float32, torch.float64)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("loc", "scale"), LOC_SCALE)
def test_location_scale_families(dtype: torch.dtype, loc: float, scale: float) -> None:
    families = (
        (log_density.normal, dist.Normal),
        (log_density.cauchy, dist.Cauchy),
        (log_density.laplace, dist.Laplace),
    )
    for ours, family in families:
        _same(
            lambda x, f=ours: f(x, loc, scale),
            lambda x, d=family: d(_p(loc, x), _p(scale, x), validate_args=False).log_prob(x),
            False,
            dtype,
        )


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("k", "rate"), GAMMA)
def test_gamma(dtype: torch.dtype, k: float, rate: float) -> None:
    _same(
        lambda x: log_density.gamma(x, k, rate),
        lambda x: dist.Gamma(_p(k, x), _p(rate, x), validate_args=False).log_prob(x),
        True,
        dtype,
    )


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("df", (1.0, 2.0))
def test_chi2(dtype: torch.dtype, df: float) -> None:
    _same(
        lambda x: log_density.chi2(x, df),
        lambda x: dist.Chi2(df=_p(df, x), validate_args=False).log_prob(x),
        True,
        dtype,
    )


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("rate", RATES)
def test_exponential(dtype: torch.dtype, rate: float) -> None:
    _same(
        lambda x: log_density.exponential(x, rate),
        lambda x: dist.Exponential(_p(rate, x), validate_args=False).log_prob(x),
        True,
        dtype,
    )


def test_meta_device_and_constants_not_shared_across_dtypes() -> None:
    x = torch.empty(3, 2, device="meta")
    assert log_density.laplace(x, 0.0, 1.0).shape == (3, 2)
    y32 = log_density.normal(torch.zeros(1, 1), 0.0, 0.1)
    y64 = log_density.normal(torch.zeros(1, 1, dtype=torch.float64), 0.0, 0.1)
    assert y32.dtype == torch.float32 and y64.dtype == torch.float64
