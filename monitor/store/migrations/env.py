"""Alembic's entry point: migrations run on the connection monitor.store.migrate hands over,
inside the lock it holds; they are never run from an alembic.ini."""

from __future__ import annotations

from alembic import context

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations with `monitor db upgrade`, not the alembic command")

context.configure(connection=connection, target_metadata=None, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
