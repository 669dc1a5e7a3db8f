"""`flask urls`: what the run command prints before it serves."""


def test_urls_prints_the_served_address_and_the_verification_base(runner, monkeypatch):
    monkeypatch.delenv("FLASK_RUN_HOST", raising=False)
    monkeypatch.setenv("FLASK_RUN_PORT", "8123")
    result = runner.invoke(args=["urls"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "Serving on http://127.0.0.1:8123",
        "Verification base URL (CE_BASE_URL): https://ce.example.org",
        "Certificates link to https://ce.example.org/verify/<number>",
    ]


def test_urls_warns_while_certificates_would_link_to_localhost(app, runner, monkeypatch):
    monkeypatch.setitem(app.config, "BASE_URL", "http://localhost:5000")
    result = runner.invoke(args=["urls"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[1] == "Verification base URL (CE_BASE_URL): http://localhost:5000"
    assert lines[3].startswith("Warning: CE_BASE_URL is http://localhost:5000: certificates")
    assert "public https:// address" in lines[3]
