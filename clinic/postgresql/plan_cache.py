"""Generic plans on the paths whose statements' plans do not depend on their values (issue
14.3: a lot-tracked administration spends as long planning as running on a cold connection).

With the statements prepared (prepared_statements.py), PostgreSQL still plans a prepared
statement afresh, with its values, for each of its first five executions on a connection
(plan_cache_mode auto), and only then settles on one generic plan. Each gunicorn thread
holds its own connection for DATABASE_CONN_MAX_AGE (600 s), and a practitioner signs a few
sessions an hour, so in the clinic the session editor's statements are nearly always in
those first five: every start, draft save and signing plans its statements again. Their
plans cost 0.3-1.5 ms each (the rollups' WITH, the engine's inputs, the session read with
its joins): about 10 ms of a 40 ms administration, measured with pg_stat_statements
(track_planning) in bench/README.md ("Generic plans for the session editor").

Those statements find rows by primary key, public id or a parent's key, and their best plan
is the same whatever the values. Other pages' statements are not all like that: a list
filtered on a value that a partial index names, or a LIKE prefix, needs the value to choose
its index, which a generic plan cannot know. So the generic plan is chosen per view:

- `@generic_plans` marks a view whose statements (its own and the request's: the session,
  the access log) are all of the first kind;
- `PlanCacheMiddleware` puts the request's connection in the mode its view asks for
  (`SET plan_cache_mode = force_generic_plan`, or RESET to the server's default) before
  the view runs. The connection remembers its mode, so a statement is sent only when the
  mode changes: none while a practitioner moves between the editor's pages, one when they
  leave for another page.

Nothing is sent on SQLite, nor when statements are not prepared (DATABASE_PREPARE_THRESHOLD
off: behind a pooler in transaction mode, a SET would stay on a server connection that
another client gets next), nor when the view runs inside a transaction (ATOMIC_REQUESTS, a
test's), whose rollback would undo the SET unseen (clinic/postgresql/base.py). Behind a
transaction-mode pooler that keeps prepared statements (PgBouncer 1.21 on), the operator
sets DATABASE_GENERIC_PLANS=off as well (docs/operations.md): the setting of the same name
(clinic/settings/base.py), a switch for an operator who suspects a plan, without a release.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.db import DEFAULT_DB_ALIAS, connections

GENERIC = "force_generic_plan"
DEFAULT = "default"  # the server's (or the role's) plan_cache_mode: RESET


def generic_plans(view):
    """Mark a view whose statements are planned once per connection (see above)."""
    view.generic_plans = True
    return view


def plan_mode_for(view) -> str:
    return GENERIC if getattr(view, "generic_plans", False) else DEFAULT


class PlanCacheMiddleware:
    """The default connection in the plan_cache_mode the resolved view asks for; left out of
    the stack (MiddlewareNotUsed) when DATABASE_GENERIC_PLANS=off."""

    def __init__(self, get_response):
        if not settings.DATABASE_GENERIC_PLANS:
            raise MiddlewareNotUsed("DATABASE_GENERIC_PLANS is off")
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        connection = connections[DEFAULT_DB_ALIAS]
        set_mode = getattr(connection, "set_plan_cache_mode", None)  # clinic.postgresql only
        if set_mode is not None:
            set_mode(plan_mode_for(view_func))
