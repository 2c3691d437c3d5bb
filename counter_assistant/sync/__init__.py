"""The center's server: every counter's records in one PostgreSQL, sent from the local outbox.

No Qt here (import-linter): the sender is a plain thread, the GUI reads its state through
a callback the composition root wires to the Bridge. The local SQLite database stays the
counter's source of truth; the server is a copy that may lag behind by days.
"""
