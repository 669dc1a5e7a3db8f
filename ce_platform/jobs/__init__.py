"""Work off the request path: a job table of our own, carried by Huey (SQLite or Redis)."""
