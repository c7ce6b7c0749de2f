"""Migration operations that keep the clinic open while they run (docs/operations.md,
"Upgrading": new indexes CONCURRENTLY).

`AddIndex` and `RemoveIndex` as Django's, built and dropped CONCURRENTLY on PostgreSQL
(django.contrib.postgres's operations), so that the table stays writable while a large
index is built; elsewhere (SQLite: the demo and the tests) as usual. A migration that uses
them sets `atomic = False`: PostgreSQL builds an index concurrently outside a transaction.

`CreateModels` and `DataSteps`: a squashed migration's models created together, and the
data steps of the migrations it replaces run in their order (below).
"""

import importlib

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


class CreateModels(migrations.operations.base.Operation):
    """Several CreateModel operations as one, for squashed migrations: the migration state
    is rendered once for all of them instead of once per model.

    Django re-renders, after each CreateModel, every model already rendered that relates to
    the new one, recursively; every model here relates to the user model through its
    history, so creating N models one by one renders about N^2/2 of them. Here the models'
    states are added first and the tables created from the state rendered once: the same
    tables, indexes and constraints as the CreateModel operations would create."""

    reversible = True

    def __init__(self, operations):
        self.operations = list(operations)
        super().__init__()

    def deconstruct(self):
        return (self.__class__.__name__, [self.operations], {})

    def state_forwards(self, app_label, state):
        # ProjectState.apps is the state's rendering, cached (Django itself checks for it
        # with `"apps" in state.__dict__`): dropped, no model is re-rendered as each one is
        # added, and the whole state is rendered once, when database_forwards needs it.
        state.__dict__.pop("apps", None)
        for operation in self.operations:
            operation.state_forwards(app_label, state)

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        for operation in self.operations:
            model = to_state.apps.get_model(app_label, operation.name)
            if self.allow_migrate_model(schema_editor.connection.alias, model):
                schema_editor.create_model(model)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        for operation in reversed(self.operations):
            model = from_state.apps.get_model(app_label, operation.name)
            if self.allow_migrate_model(schema_editor.connection.alias, model):
                schema_editor.delete_model(model)

    def describe(self):
        names = ", ".join(operation.name for operation in self.operations)
        return f"Create model{'s' if len(self.operations) != 1 else ''} {names}"

    @property
    def migration_name_fragment(self):
        return "models"


class DataSteps(migrations.RunPython):
    """The data steps of the migrations a squash replaces, as one RunPython: each
    (module, function) of `steps`, a pair for forwards and backwards (None: nothing to
    undo), imported from the original migration and run in their order, backwards in
    reverse. One RunPython renders the migration state once, not once per step."""

    def __init__(self, steps):
        self.steps = [tuple(step) for step in steps]
        super().__init__(self._forwards, self._backwards)

    def deconstruct(self):
        return (self.__class__.__name__, [self.steps], {})

    def describe(self):
        return f"The {len(self.steps)} data steps of the migrations squashed"

    @staticmethod
    def _function(path):
        module, qualname = path
        found = importlib.import_module(module)
        for part in qualname.split("."):
            found = getattr(found, part)
        return found

    def _forwards(self, apps, schema_editor):
        for code, _ in self.steps:
            self._function(code)(apps, schema_editor)

    def _backwards(self, apps, schema_editor):
        for _, reverse in reversed(self.steps):
            if reverse is not None:
                self._function(reverse)(apps, schema_editor)
