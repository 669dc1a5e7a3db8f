"""How a request's transaction begins on SQLite: readers share, writers queue.

A GET or HEAD request begins a deferred transaction, so readers never wait for each other or for
a writer. Every other request, and a GET request that called `declare_write` first,
begins `BEGIN IMMEDIATE` and takes the write lock before its first read. A deferred transaction that
has read and then writes can be refused the lock at once (a writer committed after its
snapshot), so the paths that write on GET (insert_once, the audit chain) call
`take_write_lock` first: it ends the read-only transaction, and the next statement begins an
immediate one that reads everything afresh. A write that does neither is logged.
"""

from __future__ import annotations

import logging

from flask import g, has_request_context, request
from sqlalchemy.orm import scoped_session

READ_METHODS = frozenset({"GET", "HEAD"})
WRITE_VERBS = ("INSERT", "UPDATE", "DELETE", "REPLACE")
log = logging.getLogger(__name__)


def declare_write() -> None:
    """Say, before the request's first query, that this GET request will write."""
    g.declared_write = True


def begins_deferred() -> bool:
    """True when the current transaction may begin deferred: a read-only request."""
    if not has_request_context() or request.method not in READ_METHODS:
        return False
    return not g.get("declared_write")


def undeclared_write(statement: str) -> None:
    """Log a write inside a deferred transaction: under concurrent writers it can be refused."""
    if statement.lstrip()[:7].upper().startswith(WRITE_VERBS):
        log.warning(
            "%s %s writes in a deferred transaction; call take_write_lock or declare_write first",
            request.method,
            request.endpoint,
        )


def take_write_lock(session) -> bool:
    """Before the first write of a deferred transaction, begin again as a writer; True if it did.

    The transaction has only read, so rolling it back loses nothing; the objects it loaded are
    expired and load again, under the write lock, when next used. With unflushed changes
    pending it cannot start over, and the write goes ahead deferred (and is logged).
    """
    if isinstance(session, scoped_session):
        session = session()
    if not session.in_transaction() or session.get_bind().dialect.name != "sqlite":
        return False
    if not session.connection().info.get("deferred") or not has_request_context():
        return False
    if session.new or session.dirty or session.deleted:
        return False
    session.rollback()
    g.declared_write = True
    return True
