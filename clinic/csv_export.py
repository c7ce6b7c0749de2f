"""Streaming CSV for every download (reports, the access log, the Yellow Card): rows go
out as the database cursor yields them, never built in memory, and cells a spreadsheet
would run as formulas are neutralised.

`csv_response` wraps a server-side iterator (QuerySet.iterator(chunk_size=...), a named
cursor on PostgreSQL) in a StreamingHttpResponse. The header row is sent first, so the
first byte leaves before the query has produced its first row; rows are then written in
batches of BATCH_ROWS to keep the number of writes down.
"""

import csv
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from django.utils import timezone

CHUNK_SIZE = 2000  # rows fetched per round trip from the server-side cursor
BATCH_ROWS = 500  # rows per chunk written to the response
# Cells a spreadsheet would read as a formula (CSV injection): prefixed with a quote.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class _Echo:
    """The csv module writes into this and gets the line back (no buffer kept)."""

    def write(self, value: str) -> str:
        return value


def cell(value) -> str | int | float:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime):
        return f"{timezone.localtime(value):%d/%m/%Y %H:%M}"
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def rows_of(data: QuerySet | Iterable) -> Iterator:
    if isinstance(data, QuerySet):
        return data.iterator(chunk_size=CHUNK_SIZE)
    return iter(data)


def stream(
    data: QuerySet | Iterable,
    columns: list[tuple[str, Callable]],
    *,
    on_finish: Callable[[int], None] | None = None,
) -> Iterator[str]:
    writer = csv.writer(_Echo())
    # A byte-order mark so that spreadsheet programs read UTF-8 (names, "£", "é").
    yield "\ufeff" + writer.writerow([header for header, _ in columns])
    batch: list[str] = []
    count = 0
    # Inside a transaction PostgreSQL's cursor is declared without HOLD, so rows come as
    # the plan produces them; in autocommit Django declares it WITH HOLD, which makes the
    # server materialise the whole result before the first row. Read-only.
    with transaction.atomic():
        for row in rows_of(data):
            batch.append(writer.writerow([cell(value(row)) for _, value in columns]))
            count += 1
            if len(batch) >= BATCH_ROWS:
                yield "".join(batch)
                batch = []
        if batch:
            yield "".join(batch)
    if on_finish is not None:
        on_finish(count)


def csv_response(data, columns, *, filename: str, on_finish=None) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        stream(data, columns, on_finish=on_finish), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
