"""Build RPN specs in Python: stack layers from a dims list, sweep a parameter, compare.

Run: python examples/python/build_specs.py  (no torch needed)
"""

from pathlib import Path

import rpnschema
from rpnschema.builder import component, head, layer, model, stack, sweep
from rpnschema.summary import summarize

HERE = Path(__file__).parent


def mnist_stack() -> rpnschema.ModelSpec:
    """The spec of examples/python/mnist_stack.yaml, built in Python."""
    template = head("taylor_expansion", "lorr_reconciliation", "linear_remainder", d=2, r=4)
    return stack([784, 64, 10], template, name="mnist_stack", seed=0)


def two_heads() -> rpnschema.ModelSpec:
    """A layer of two different heads joined by a learned fusion, then an output layer."""
    heads = [
        head("chebyshev_expansion", d=3),
        head("gaussian_rbf_expansion", component("hm_reconciliation", p=2, q=5), num_interval=5),
    ]
    fusion = component("parameterized_concatenation_fusion", n=4)
    return model(
        [layer(4, heads, m=6, head_fusion=fusion), layer(2, head("identity_expansion"))],
        name="two_heads",
    )


def main() -> None:
    built = rpnschema.load_spec(mnist_stack())
    loaded = rpnschema.load_spec(HERE / "mnist_stack.yaml")
    print(f"built == loaded from YAML: {built == loaded}; {built.parameters:,} parameters")
    print(f"two_heads: {rpnschema.load_spec(two_heads()).parameters:,} parameters")
    degrees = [1, 2, 3]
    variants = sweep(mnist_stack(), "layers.1.heads.0.expansion.d", degrees)
    for d, spec in zip(degrees, variants, strict=True):
        total = summarize(spec, batch=32).total
        print(
            f"layer 1 Taylor d={d}: {total.parameters:>9,} parameters, {total.flops.total:,} FLOPs"
        )


if __name__ == "__main__":
    main()
