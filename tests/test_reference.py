"""The README's catalog reference is generated from the spec models and must be current."""

from pathlib import Path

from rpnschema import reference
from rpnschema.spec import CATALOG

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_reference_is_current() -> None:
    text = README.read_text()
    assert reference.splice(text, reference.render()) == text, (
        "README catalog is stale: run python -m rpnschema.reference --write README.md"
    )


def test_every_catalog_function_is_documented() -> None:
    text = reference.render()
    for name, cls in CATALOG.items():
        assert f"| `{name}` |" in text
        assert cls.__doc__ and "D" in text


def test_error_code_docs_are_current() -> None:
    path = README.parent / "docs" / "error-codes.md"
    assert path.read_text() == reference.render_error_codes(), (
        "run: python -m rpnschema.reference --error-codes docs/error-codes.md"
    )


def test_every_validation_code_has_a_real_example() -> None:
    from rpnschema.errors import Code

    for code in Code:
        if code.value < "RPN500":
            assert code.value in reference.CODE_EXAMPLES, code
            output = reference._example_output(code.value, reference.CODE_EXAMPLES[code.value])
            assert f" {code.value} " in output, (code, output)
