"""Administration: users and roles, instructor assignments, certificates, the audit log."""
