"""The suite turns warnings into errors, except the named third-party ones in setup.cfg."""

import warnings

import pytest
from _pytest.config import parse_warning_filter

HARFBUZZ = (
    "HarfBuzz-Subset will be required by future versions of WeasyPrint. "
    "Please install this library with your package manager."
)


def _warn_under_suite_filters(pytestconfig, message: str, module: str) -> list:
    """Apply setup.cfg's filters in pytest's order, then warn as `module` would; return what
    got through without raising."""
    with warnings.catch_warnings(record=True) as shown:
        warnings.resetwarnings()
        for line in pytestconfig.getini("filterwarnings"):
            warnings.filterwarnings(*parse_warning_filter(line, escape=False))
        warnings.warn_explicit(message, DeprecationWarning, f"{module}.py", 1, module=module)
    return shown


def test_weasyprint_missing_harfbuzz_subset_warning_does_not_fail_the_suite(pytestconfig):
    assert _warn_under_suite_filters(pytestconfig, HARFBUZZ, "weasyprint.text.ffi") == []


def test_the_same_warning_from_our_own_code_still_fails(pytestconfig):
    with pytest.raises(DeprecationWarning, match="HarfBuzz-Subset"):
        _warn_under_suite_filters(pytestconfig, HARFBUZZ, "ce_platform.certificates.pdf")


def test_other_third_party_deprecations_still_fail(pytestconfig):
    with pytest.raises(DeprecationWarning, match="old API"):
        _warn_under_suite_filters(pytestconfig, "old API", "weasyprint.text.ffi")
