"""Administrators are warned while certificates would link to this machine."""

import pytest

from tests.admin.conftest import LEARNER

WARNING = "CE_BASE_URL is http://localhost:5000: certificates issued now print"


@pytest.mark.parametrize("path", ["/admin/", "/admin/users", "/admin/certificates", "/admin/audit"])
def test_admin_pages_warn_while_base_url_points_at_localhost(app, admin_page, monkeypatch, path):
    monkeypatch.setitem(app.config, "BASE_URL", "http://localhost:5000")
    response = admin_page.get(path)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<p class="notice site-warning"><strong>Warning:</strong> ' + WARNING in html


def test_admin_pages_carry_no_warning_for_a_public_base_url(admin_page):
    html = admin_page.get("/admin/").get_data(as_text=True)
    assert "Administration" in html and "site-warning" not in html


def test_learner_pages_never_show_the_operator_warning(app, client, auth, learner, monkeypatch):
    monkeypatch.setitem(app.config, "BASE_URL", "http://127.0.0.1:5000")
    assert auth.login(LEARNER).status_code == 302
    html = client.get("/").get_data(as_text=True)
    assert "Sign out" in html and "site-warning" not in html
