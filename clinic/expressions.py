"""Query expressions more than one app needs (the reports' rollups, the patients' counts)."""

from django.db.models import IntegerField, Subquery


class CountRows(Subquery):
    """The number of rows a query returns, as a scalar subquery. PostgreSQL flattens the
    inner query, so each count is read through that query's own index (an index-only
    scan when the index holds its filter). Over SELECT DISTINCT patient_id it lets
    PostgreSQL hash the patients rather than sort them, as COUNT(DISTINCT) does."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) AS counted)"
    output_field = IntegerField()
