"""The day view's grid: rows of 15 minutes, a cell per practitioner, each cell's text
worked out here once so that the template only prints strings (no per-cell include, URL
reversing, filter, permission lookup or property in the template's loop).

One pass over each column's appointments (sorted by start), so the work grows with
rows x columns + appointments, not with their product. No query: it reads what
`selectors.day_view` loaded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import quote

from django.urls import reverse
from django.utils import timezone

from clinic.diary.choices import AppointmentStatus
from clinic.diary.models import BADGE_CLASSES, LATE_AFTER
from clinic.diary.selectors import SLOT_MINUTES, Booked, DayView

STEP = timedelta(minutes=SLOT_MINUTES)
STATUS_LABELS = dict(AppointmentStatus.choices)
WAITING = (AppointmentStatus.BOOKED, AppointmentStatus.CONFIRMED)
EN_DASH = "\u2013"
SAMPLE_ID = "00000000-0000-0000-0000-000000000000"  # reverse once, then fill in each id


@dataclass(slots=True)
class Entry:
    """One appointment as the grid shows it: strings only."""

    url: str
    css: str  # "diary-appt status-booked is-late"
    name: str
    badge: str
    badge_css: str
    when: str  # "09:00-09:20 · Phone review · Room 2" (an en dash between the times)
    flags: str  # "2 booking checks", or ""


@dataclass(slots=True)
class Cell:
    """One practitioner's 15 minutes: appointments starting here (spanning `rows`; one
    that starts inside another's rows joins its cell), a free slot to book (`book_url`),
    a time outside their hours, or covered by a cell above (not drawn)."""

    kind: str  # "appointment", "free", "off", "covered"
    starts_at: datetime
    practitioner_id: int
    appointments: list[Booked] = field(default_factory=list)
    rows: int = 1
    entries: list[Entry] = field(default_factory=list)
    book_url: str = ""
    label: str = ""  # "09:15"
    who: str = ""  # whose free slot, for screen readers ("Book 09:15 with ...")


@dataclass(slots=True)
class Row:
    moment: datetime
    label: str
    cells: list[Cell]  # every column's cell, covered ones included
    drawn: list[Cell]  # what the template draws (covered cells are spanned by a rowspan)
    is_now: bool = False  # the 15 minutes we are in (a line across the grid)


def _entry(appt: Booked, url: tuple[str, str], now: datetime, tz) -> Entry:
    late = appt.status in WAITING and now > appt.starts_at + LATE_AFTER
    if late:
        badge, badge_css = "Late", "text-bg-warning"
    else:
        badge = STATUS_LABELS.get(appt.status, appt.status)
        badge_css = BADGE_CLASSES.get(appt.status, "text-bg-light border")
    starts, ends = appt.starts_at.astimezone(tz), appt.ends_at.astimezone(tz)
    when = f"{starts:%H:%M}{EN_DASH}{ends:%H:%M} · {appt.type_name}"
    if appt.room_name:
        when += f" · {appt.room_name}"
    count = appt.flags
    return Entry(
        url=f"{url[0]}{appt.public_id}{url[1]}",
        css=f"diary-appt status-{appt.status}{' is-late' if late else ''}",
        name=appt.patient_name,
        badge=badge,
        badge_css=badge_css,
        when=when,
        flags=f"{count} booking check{'s' if count != 1 else ''}" if count else "",
    )


def _grid_end(ends_at: datetime, moment: datetime) -> datetime:
    """The end of an appointment rounded up to the grid (at least one row)."""
    return moment + STEP * max(1, -(-(ends_at - moment) // STEP))


def day_grid(view: DayView, *, can_book: bool = False, patient_param: str = "") -> list[Row]:
    """The day view as rows of cells. `can_book` gives free cells their booking link
    (with the patient being booked for, if any)."""
    if not view.times:
        return []
    now, tz = timezone.now(), timezone.get_current_timezone()
    url_prefix, url_suffix = reverse("diary:appointment", kwargs={"public_id": SAMPLE_ID}).split(
        SAMPLE_ID
    )
    book_prefix = reverse("diary:book") + "?practitioner="
    patient_suffix = f"&patient={quote(patient_param)}" if patient_param else ""
    grid_start, last = view.times[0], view.times[-1] + STEP
    local = [m.astimezone(tz) for m in view.times]
    labels = [f"{m:%H:%M}" for m in local]
    starts_q = [quote(m.isoformat(), safe="") for m in local]
    columns = []
    for column in view.columns:
        pending = sorted(column.appointments, key=lambda a: (a.starts_at, a.pk))
        columns.append((column.practitioner_id, column.name, column.blocks, pending, [0]))
    rows = []
    open_cell: dict[int, Cell] = {}
    covered_until: dict[int, datetime] = {}
    for index, moment in enumerate(view.times):
        after = moment + STEP
        cells, drawn = [], []
        for who, name, blocks, pending, cursor in columns:
            starting = []
            while cursor[0] < len(pending) and pending[cursor[0]].starts_at < after:
                appt = pending[cursor[0]]
                cursor[0] += 1
                # Before the grid's first row only if it runs into it (the first row takes it).
                if appt.starts_at >= moment or (moment == grid_start and appt.ends_at > moment):
                    starting.append(appt)
            until = covered_until.get(who)
            if starting:
                ends = max(_grid_end(a.ends_at, moment) for a in starting)
                entries = [_entry(a, (url_prefix, url_suffix), now, tz) for a in starting]
                if until is not None and moment < until:  # joins the cell above
                    cell = open_cell[who]
                    cell.appointments += starting
                    cell.entries += entries
                    if ends > until:
                        covered_until[who] = ends
                        cell.rows = int((ends - cell.starts_at) / STEP)
                    cells.append(Cell("covered", moment, who))
                    continue
                cell = Cell(
                    "appointment", moment, who, starting, int((ends - moment) / STEP), entries
                )
                open_cell[who], covered_until[who] = cell, ends
            elif until is not None and moment < until:
                cells.append(Cell("covered", moment, who))
                continue
            elif any(b.starts <= moment and after <= b.ends for b in blocks):
                cell = Cell("free", moment, who, label=labels[index], who=name)
                if can_book:
                    cell.book_url = f"{book_prefix}{who}&start={starts_q[index]}{patient_suffix}"
            else:
                cell = Cell("off", moment, who)
            cells.append(cell)
            drawn.append(cell)
        rows.append(Row(moment, labels[index], cells, drawn, moment <= now < after))
    for row in rows:  # no cell may run past the bottom of the grid
        for cell in row.drawn:
            if cell.kind == "appointment":
                cell.rows = max(1, min(cell.rows, int((last - row.moment) / STEP)))
    return rows
