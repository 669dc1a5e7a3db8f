"""Extension objects, created unbound here and bound to the app in create_app."""

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from ce_platform.core.models import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate(render_as_batch=True, compare_type=True)
login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address)


def configure_engine(engine) -> None:
    """Make SQLite transactions real: deferred for reading requests, else BEGIN IMMEDIATE.

    pysqlite's own transaction handling defers BEGIN and breaks SAVEPOINT; with it, parallel
    requests can deadlock on the write lock. Taking the write lock at BEGIN makes a second
    writer wait its turn instead, and lets nested transactions behave as on PostgreSQL. A GET
    or HEAD request begins deferred (core/transactions.py), so readers never queue in WAL mode.
    """
    if engine.dialect.name != "sqlite":
        return
    from sqlalchemy import event

    from ce_platform.core.transactions import begins_deferred, undeclared_write

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA busy_timeout = 30000")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode = WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection):
        deferred = begins_deferred()
        connection.info["deferred"] = deferred
        connection.exec_driver_sql("BEGIN" if deferred else "BEGIN IMMEDIATE")

    @event.listens_for(engine, "before_cursor_execute")
    def _before_execute(connection, _cursor, statement, *_args):
        if connection.info.get("deferred"):
            undeclared_write(statement)
