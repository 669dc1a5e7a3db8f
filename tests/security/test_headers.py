"""Every response carries the security headers; cookies are locked down."""

from tests import factories


def test_pages_and_api_carry_security_headers(client):
    for path in ("/", "/login", "/api/v1/courses", "/no-such-page"):
        response = client.get(path)
        csp = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp
        assert "frame-ancestors 'none'" in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_session_cookie_is_httponly_samesite_and_secure_over_https(client, auth):
    factories.user("learner@example.org")
    response = auth.login()
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" in cookie  # the test app's CE_BASE_URL is https
