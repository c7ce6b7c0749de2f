"""Query lookups the search needs that Django does not ship.

`iprefix`: case-insensitive "starts with". Django's istartswith compiles to
UPPER(col) LIKE UPPER('term%') on PostgreSQL, which no trigram index can serve; ILIKE can,
so a search that ORs prefix and similarity conditions stays on the GIN indexes instead of
scanning the table. Other databases use istartswith as usual.
"""

from django.db.models import CharField, Lookup
from django.db.models.lookups import IStartsWith


@CharField.register_lookup
class IPrefix(Lookup):
    lookup_name = "iprefix"

    def as_sql(self, compiler, connection):
        return IStartsWith(self.lhs, self.rhs).as_sql(compiler, connection)

    def as_postgresql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        pattern = connection.ops.prep_for_like_query(self.rhs) + "%"
        return f"{lhs} ILIKE %s", [*lhs_params, pattern]
