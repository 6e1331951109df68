"""The audit trail: who changed what and when, hash-chained so tampering shows.

:mod:`app.core.audit.log` records every insert/update/delete of the syncable rows
from SQLAlchemy's flush events (no service has to remember), one summary row per
bulk operation (demo, spreadsheet import), and account events;
:mod:`app.core.audit.chain` appends and verifies the chain;
:mod:`app.core.audit.query` lists, filters and exports it.
"""
