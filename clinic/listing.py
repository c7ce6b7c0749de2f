"""Hot lists without per-cell machinery (issue 14.2).

django-tables2 renders each cell through a BoundRow, a BoundColumn, an accessor and a
template context: about 75% of the patient list's time for 25 rows. Here a list declares
its columns (the sort allow-list), `fast_list` sorts and slices the queryset (25 + 1 rows,
no COUNT: django-tables2's LazyPaginator), and a plain template loop writes the rows.
`includes/fast_table_head.html` and `includes/fast_table_pagination.html` write the same
header and page links as django-tables2's bootstrap5 template (classes, scope, sort and
page query strings that keep the other parameters), so the page looks and reads the same.
"""

import copy
from dataclasses import dataclass, field

from django.core.paginator import EmptyPage
from django.db.models import OrderBy, QuerySet
from django_tables2 import LazyPaginator, RequestConfig

from clinic.prepared import Prepared

PAGE_RANGE = 10  # as DJANGO_TABLES2_PAGE_RANGE's default
# The last page a URL may ask for: past it, the first page (an OFFSET of 10**30 rows is
# "bigint out of range" on PostgreSQL, a 500; no list here is that long).
MAX_PAGE = 100_000


class BoundedLazyPaginator(LazyPaginator):
    """django-tables2's LazyPaginator (no COUNT) within bounds a URL cannot push past.

    - The page size is the view's `page_size`: RequestConfig would take `?per_page=` from
      the URL, and 10**9 reads a whole table, 10**30 overflows LIMIT, -3 is a 500.
    - A page number past MAX_PAGE is "no such page", which RequestConfig answers with the
      first page, as it does for a page past the end.

    Used through `paginate` below.
    """

    def __init__(self, object_list, per_page=None, *, page_size: int, **kwargs):
        super().__init__(object_list, page_size, **kwargs)

    def validate_number(self, number):
        number = super().validate_number(number)
        if number > MAX_PAGE:
            raise EmptyPage("That page number is too large")
        return number


def paginate(request, table, *, page_size: int) -> None:
    """Sort and paginate a django-tables2 table from the request (`?sort=`, `?page=`), a
    page of `page_size` rows without a COUNT (BoundedLazyPaginator)."""
    RequestConfig(
        request, paginate={"page_size": page_size, "paginator_class": BoundedLazyPaginator}
    ).configure(table)


@dataclass(frozen=True)
class Capped:
    """The first rows of a list and how many there are in all, for a short list on a page
    that must not hide the rest in silence (a queue, a home page's card, the editor's
    unusable vials): `capped` reads `limit` + 1 rows and runs a COUNT only when there are
    more, so a short list costs its one query. True when there is any row."""

    rows: list
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.rows)

    def __bool__(self) -> bool:
        return self.total > 0


def capped(queryset: QuerySet, limit: int) -> Capped:
    return _capped(list(queryset[: limit + 1]), limit, lambda: queryset)


def _capped(rows: list, limit: int, queryset) -> Capped:
    """`rows`: the first `limit` + 1; `queryset()`: the whole read, for the COUNT."""
    if len(rows) <= limit:
        return Capped(rows, len(rows))
    # At least the rows just read: some may be gone by the COUNT (reviewed meanwhile).
    return Capped(rows[:limit], max(queryset().order_by().count(), limit + 1))


class CappedRead:
    """`capped` for a read compiled to SQL once per process and limit (clinic.prepared):
    the home page's cards are such reads, and building the SQL of one with a few joins
    costs 1-2 ms of CPU on every request, more than running it. The COUNT, when there are
    more rows than the limit, is built as usual.

        _UNREVIEWED = CappedRead(lambda: SideEffect.objects.filter(...).order_by(...))
        _UNREVIEWED(limit=8)  # a Capped; values as keywords, with their samples given
                              # as Prepared takes them: CappedRead(build, user_id=(1, 2))
    """

    def __init__(self, build, **samples):
        self._build = build
        self._samples = samples
        self._first: dict[int, Prepared] = {}

    def __call__(self, *, limit: int, **values) -> Capped:
        first = self._first.get(limit)
        if first is None:
            build = self._build
            first = self._first.setdefault(
                limit, Prepared(lambda **v: build(**v)[: limit + 1], **self._samples)
            )
        return _capped(first.list(**values), limit, lambda: self._build(**values))


@dataclass(frozen=True)
class Column:
    name: str
    header: str
    # Field names ("-name": descending) or expressions (F("x").asc(nulls_first=True): where
    # NULLs go is the same on both engines). Empty: not sortable.
    order_by: tuple[str | OrderBy, ...] = ()

    @property
    def orderable(self) -> bool:
        return bool(self.order_by)


@dataclass
class HeaderCell:
    header: str
    css: str  # "orderable", "asc orderable", "desc orderable" or ""
    url: str | None


@dataclass
class PageLink:
    label: object  # a page number or "..."
    url: str | None
    active: bool = False


@dataclass
class FastList:
    rows: list
    headers: list[HeaderCell]
    number: int
    has_next: bool
    previous_url: str | None = None
    next_url: str | None = None
    links: list[PageLink] = field(default_factory=list)
    empty_text: str = ""

    @property
    def paginated(self) -> bool:
        return self.number > 1 or self.has_next

    @property
    def column_count(self) -> int:
        return len(self.headers)


def _query(request, **changes) -> str:
    params = request.GET.copy()
    for name, value in changes.items():
        params[name] = value
    return "?" + params.urlencode()


def _page_number(request, page_field: str) -> int:
    try:
        number = int(request.GET.get(page_field, "1"))
    except ValueError:
        return 1
    return number if 1 <= number <= MAX_PAGE else 1


def _page_range(number: int, has_next: bool) -> list:
    """django-tables2's table_page_range for a LazyPaginator (pages known: up to the
    current one, plus the next when there is one)."""
    num_pages = number + 1 if has_next else number
    if num_pages <= PAGE_RANGE:
        pages = list(range(1, num_pages + 1))
    else:
        start = max(1, number - PAGE_RANGE // 2)
        end = start + PAGE_RANGE
        if end > num_pages:
            start, end = num_pages - PAGE_RANGE + 1, num_pages + 1
        pages = list(range(start, end))
        if 1 not in pages:
            pages = [1, "...", *pages[2:]]
        if num_pages not in pages:
            pages = [*pages[:-2], "...", num_pages]
    if has_next:
        pages.append("...")
    return pages


def _reversed(item: str | OrderBy) -> str | OrderBy:
    """One ordering term the other way round."""
    if isinstance(item, OrderBy):
        return copy.copy(item).reverse_ordering()
    return item[1:] if item.startswith("-") else f"-{item}"


def fast_list(
    request,
    queryset: QuerySet,
    *,
    columns: list[Column],
    default_sort: str,
    per_page: int,
    empty_text: str = "",
    sort_field: str = "sort",
    page_field: str = "page",
) -> FastList:
    """Sort `queryset` by an allow-listed column (`?sort=name`, `?sort=-name`; anything
    else falls back to `default_sort`) and take one page of it (one query)."""
    by_name = {column.name: column for column in columns if column.orderable}
    sort = request.GET.get(sort_field, "") or default_sort
    descending = sort.startswith("-")
    column = by_name.get(sort.lstrip("-"))
    if column is None:
        sort = default_sort
        descending = sort.startswith("-")
        column = by_name[sort.lstrip("-")]
    order = [_reversed(item) if descending else item for item in column.order_by]
    number = _page_number(request, page_field)
    offset = (number - 1) * per_page
    rows = list(queryset.order_by(*order, "pk")[offset : offset + per_page + 1])
    if not rows and number > 1:  # past the end: the first page
        number, offset = 1, 0
        rows = list(queryset.order_by(*order, "pk")[: per_page + 1])
    has_next = len(rows) > per_page
    headers = []
    for each in columns:
        if not each.orderable:
            headers.append(HeaderCell(each.header, "", None))
            continue
        if each is column:
            css = "desc orderable" if descending else "asc orderable"
            next_sort = each.name if descending else f"-{each.name}"
        else:
            css, next_sort = "orderable", each.name
        headers.append(HeaderCell(each.header, css, _query(request, **{sort_field: next_sort})))
    result = FastList(
        rows=rows[:per_page],
        headers=headers,
        number=number,
        has_next=has_next,
        empty_text=empty_text,
    )
    if number > 1:
        result.previous_url = _query(request, **{page_field: number - 1})
    if has_next:
        result.next_url = _query(request, **{page_field: number + 1})
    if result.paginated:
        result.links = [
            PageLink(p, None if p == "..." else _query(request, **{page_field: p}), p == number)
            for p in _page_range(number, has_next)
        ]
    return result


def fast_page(
    request, queryset: QuerySet, *, order_by: tuple[str | OrderBy, ...], per_page: int
) -> FastList:
    """One page of `queryset` in a fixed order (`?page=`; no sorting by the user), for a
    list drawn by its own template: `fast_list` with the one order, its header cells
    unused. The rows are `.rows`; `includes/fast_table_pagination.html` writes the links."""
    return fast_list(
        request,
        queryset,
        columns=[Column("order", "", order_by)],
        default_sort="order",
        per_page=per_page,
        sort_field="",
    )
