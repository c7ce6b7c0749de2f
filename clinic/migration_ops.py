"""Migration operations that keep the clinic open while they run (docs/operations.md,
"Upgrading": new indexes CONCURRENTLY).

`AddIndex` and `RemoveIndex` as Django's, built and dropped CONCURRENTLY on PostgreSQL
(django.contrib.postgres's operations), so that the table stays writable while a large
index is built; elsewhere (SQLite: the demo and the tests) as usual. A migration that uses
them sets `atomic = False`: PostgreSQL builds an index concurrently outside a transaction.
"""

from django.contrib.postgres.operations import AddIndexConcurrently, RemoveIndexConcurrently
from django.db import migrations


class _ConcurrentlyOnPostgreSQL:
    concurrently: type  # the django.contrib.postgres operation with the same arguments

    def _for(self, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            _, args, kwargs = self.deconstruct()
            return self.concurrently(*args, **kwargs)
        return super()

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        self._for(schema_editor).database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        self._for(schema_editor).database_backwards(app_label, schema_editor, from_state, to_state)


class AddIndex(_ConcurrentlyOnPostgreSQL, migrations.AddIndex):
    concurrently = AddIndexConcurrently


class RemoveIndex(_ConcurrentlyOnPostgreSQL, migrations.RemoveIndex):
    concurrently = RemoveIndexConcurrently
