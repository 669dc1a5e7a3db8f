"""Configuration from CE_* variables, with a loud failure for a missing secret in production."""

import pytest

from ce_platform import create_app
from ce_platform.config import ConfigError, base_url_is_local, local_base_url_warning


def test_missing_secret_key_stops_start_up_with_one_line(monkeypatch, tmp_path):
    monkeypatch.delenv("CE_SECRET_KEY", raising=False)
    monkeypatch.chdir(tmp_path)  # no .env here
    with pytest.raises(ConfigError) as info:
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    message = str(info.value)
    assert "CE_SECRET_KEY" in message and "\n" not in message


def test_prefixed_environment_variables_are_read(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CE_SECRET_KEY", "from-env")
    monkeypatch.setenv("CE_DATABASE_URL", "sqlite:///" + str(tmp_path / "x.db"))
    monkeypatch.setenv("CE_BASE_URL", "https://ce.example.net/")
    app = create_app()
    assert app.config["SECRET_KEY"] == "from-env"
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("x.db")
    assert app.config["BASE_URL"] == "https://ce.example.net"
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_dotenv_file_is_honoured(monkeypatch, tmp_path):
    monkeypatch.delenv("CE_SECRET_KEY", raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("CE_SECRET_KEY=from-dotenv-file\n")
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.config["SECRET_KEY"] == "from-dotenv-file"
    monkeypatch.delenv("CE_SECRET_KEY", raising=False)  # load_dotenv set it in os.environ


def test_default_database_is_sqlite_in_instance_folder(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CE_DATABASE_URL", raising=False)
    app = create_app({"TESTING": True})
    assert app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///")
    assert app.instance_path in app.config["SQLALCHEMY_DATABASE_URI"]


@pytest.mark.parametrize(
    ("url", "local"),
    [
        ("http://localhost:5000", True),
        ("http://LOCALHOST", True),
        ("http://127.0.0.1:8000", True),
        ("http://127.1.2.3", True),
        ("http://[::1]:5000", True),
        ("http://0.0.0.0:5000", True),
        ("https://ce.localhost", True),
        ("https://ce.example.org", False),
        ("https://localhost.example.org", False),
        ("https://127.example.org", False),
    ],
)
def test_base_url_is_local_only_for_addresses_of_this_machine(url, local):
    assert base_url_is_local(url) is local
    assert (local_base_url_warning(url) is not None) is local
