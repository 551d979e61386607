"""No URL escapes the access tests: every named URL pattern belongs to an area whose access
matrix (every role; records inside and outside the scope) is written down below. A new area
must say where its matrix is, or this test fails."""

from __future__ import annotations

from pathlib import Path

from tests.core.test_pages import named_patterns

TESTS = Path(__file__).resolve().parents[1]

#: URL namespace -> the test modules holding its access matrix.
MATRICES: dict[str, tuple[str, ...]] = {
    "core": ("core/test_pages.py", "core/test_access_matrix.py"),
    "site": ("core/test_pages.py", "core/test_access_matrix.py", "core/test_web_import.py"),
    "accounts": ("core/test_pages.py", "accounts/test_two_factor.py"),
    "security": ("accounts/test_two_factor.py", "accounts/test_sessions.py"),
    "places": ("core/test_pages.py",),
    "catalog": ("core/test_pages.py",),
    "learners": ("core/test_access_matrix.py",),
    "enrolment": ("core/test_access_matrix.py", "enrolment/test_results.py"),
    "followup": ("core/test_access_matrix.py",),
    "emergence": ("emergence/test_emergence.py",),
    "delivery": ("delivery/test_delivery.py", "delivery/test_packages_sessions_and_packs.py"),
    "orientation": ("orientation/test_access_matrix.py",),
    "reporting": ("reporting/test_dashboard.py",),
    "conventions": ("conventions/test_views.py",),
    "privacy": ("privacy/test_subject_rights.py",),
    "api": ("api/test_scopes.py", "api/test_authentication.py", "api/test_schemathesis.py"),
    "api_pages": ("api/test_pages.py",),
    # Public pages, no personal data but what a credential holds (tested there).
    "credentials": ("credentials/test_credentials.py",),
    "sync": ("sync/test_pages.py",),
}


def test_every_url_belongs_to_an_area_with_an_access_matrix() -> None:
    namespaces = {name.split(":")[0] for name, _ in named_patterns() if ":" in name}
    unnamed = sorted(name for name, _ in named_patterns() if ":" not in name)

    assert not unnamed, f"URL names outside any namespace: {unnamed}"
    missing = sorted(namespaces - set(MATRICES))
    assert not missing, f"no access matrix declared for: {missing}"


def test_every_declared_matrix_exists() -> None:
    for namespace, modules in MATRICES.items():
        for module in modules:
            assert (TESTS / module).is_file(), f"{namespace}: {module} is missing"
