"""The day view's grid: a row per 5 minutes (the time printed once per 15, its header
spanning three rows), a cell per practitioner, each cell's text worked out here once so
that the template only prints strings (no per-cell include, URL reversing, filter,
permission lookup or property in the template's loop).

Each appointment is one cell spanning the rows it covers, so that it sits beside the time
it starts at and no time it takes looks free (rows of 15 minutes merged back-to-back
appointments of odd lengths into one cell and stacked them at its top). Free time is a
15-minute cell to book where the whole 15 minutes is free and within hours, and the room
of their hours then (the room the booking takes: availability.room_at) is clear too, by
the booking's own clash rule (availability.Taken; review: a cell looked free while a
colleague held the room they share, and the booking refused it); such a cell says the
room is in use ("room"). Shorter free time left by odd lengths is drawn empty ("gap").
Only times off the 5-minute grid can still put two appointments in one cell (the second
joins the first's).

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

from clinic.diary.availability import SLOT_MINUTES, room_at
from clinic.diary.choices import AppointmentStatus
from clinic.diary.models import BADGE_CLASSES, has_passed
from clinic.diary.selectors import Booked, DayView

STEP = timedelta(minutes=SLOT_MINUTES)
ROW_MINUTES = 5
ROW = timedelta(minutes=ROW_MINUTES)
ROWS_PER_STEP = SLOT_MINUTES // ROW_MINUTES  # 3: the time header's rowspan
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
    times: str  # "09:00-09:20" (an en dash between the times)
    what: str  # "Phone review · Room 2"
    flags: str  # "2 booking checks", or ""


@dataclass(slots=True)
class Cell:
    """One practitioner's cell, from `starts_at` over `rows` rows of 5 minutes: an
    appointment (two only when one starts off the 5-minute grid inside the other), a free
    15 minutes to book (`book_url`), 15 minutes free but for their room, held by a
    colleague ("room"), free time too short to book ("gap"), time outside their hours
    ("off"), or covered by a cell above (not drawn)."""

    kind: str  # "appointment", "free", "room", "gap", "off", "covered"
    starts_at: datetime
    practitioner_id: int
    appointments: list[Booked] = field(default_factory=list)
    rows: int = 1
    entries: list[Entry] = field(default_factory=list)
    book_url: str = ""
    label: str = ""  # "09:15"
    who: str = ""  # whose free slot, for screen readers ("Book 09:15 with ...")
    room: str = ""  # "room": the room in use ("Treatment room 1")
    stacked: bool = False  # more than one appointment in the cell


@dataclass(slots=True)
class Row:
    moment: datetime
    label: str  # "09:15" on the first row of each 15 minutes (its header spans three), or ""
    cells: list[Cell]  # every column's cell, covered ones included
    drawn: list[Cell]  # what the template draws (covered cells are spanned by a rowspan)
    is_now: bool = False  # on a labelled row: the 15 minutes we are in ("Now")
    now_line: bool = False  # the 5 minutes we are in (a line across the grid)


def _entry(appt: Booked, url: tuple[str, str], now: datetime, tz) -> Entry:
    late = appt.status in WAITING and has_passed(appt.starts_at, now)
    if late:
        badge, badge_css = "Late", "text-bg-warning"
    else:
        badge = STATUS_LABELS.get(appt.status, appt.status)
        badge_css = BADGE_CLASSES.get(appt.status, "text-bg-light border")
    starts, ends = appt.starts_at.astimezone(tz), appt.ends_at.astimezone(tz)
    what = f"{appt.type_name} · {appt.room_name}" if appt.room_name else appt.type_name
    count = appt.flags
    return Entry(
        url=f"{url[0]}{appt.public_id}{url[1]}",
        css=f"diary-appt status-{appt.status}{' is-late' if late else ''}",
        name=appt.patient_name,
        badge=badge,
        badge_css=badge_css,
        times=f"{starts:%H:%M}{EN_DASH}{ends:%H:%M}",
        what=what,
        flags=f"{count} booking check{'s' if count != 1 else ''}" if count else "",
    )


def _rows_to(ends_at: datetime, moment: datetime) -> int:
    """Rows of 5 minutes from `moment` to `ends_at` rounded up (at least one)."""
    return max(1, -(-(ends_at - moment) // ROW))


def _row_of(moment: datetime, grid_start: datetime) -> datetime:
    """The start of the 5-minute row `moment` falls in."""
    return grid_start + ROW * ((moment - grid_start) // ROW)


def day_grid(
    view: DayView, *, can_book: bool = False, patient_param: str = "", now: datetime | None = None
) -> list[Row]:
    """The day view as rows of cells. `can_book` gives free cells their booking link
    (with the patient being booked for, if any), but not one whose time has passed
    (models.has_passed, as the booking service flags it): a past free cell is drawn
    empty. `now`: the page's moment (timezone.now() when not given)."""
    if not view.times:
        return []
    now, tz = now or timezone.now(), timezone.get_current_timezone()
    url_prefix, url_suffix = reverse("diary:appointment", kwargs={"public_id": SAMPLE_ID}).split(
        SAMPLE_ID
    )
    book_prefix = reverse("diary:book") + "?practitioner="
    patient_suffix = f"&patient={quote(patient_param)}" if patient_param else ""
    grid_start = view.times[0]
    total = len(view.times) * ROWS_PER_STEP
    moments = [grid_start + ROW * index for index in range(total)]
    local = [m.astimezone(tz) for m in moments]
    labels = [f"{m:%H:%M}" for m in local]
    starts_q = [quote(m.isoformat(), safe="") for m in local]
    columns = []
    for column in view.columns:
        pending = sorted(column.appointments, key=lambda a: (a.starts_at, a.pk))
        columns.append((column.practitioner_id, column.name, column.blocks, pending, [0]))
    rows = []
    open_cell: dict[int, Cell] = {}
    covered_until: dict[int, datetime] = {}
    for index, moment in enumerate(moments):
        after = moment + ROW
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
                ends = moment + ROW * max(_rows_to(a.ends_at, moment) for a in starting)
                entries = [_entry(a, (url_prefix, url_suffix), now, tz) for a in starting]
                if until is not None and moment < until:  # joins the appointment's cell above
                    cell = open_cell[who]
                    cell.appointments += starting
                    cell.entries += entries
                    cell.stacked = True
                    if ends > until:
                        covered_until[who] = ends
                        cell.rows = int((ends - cell.starts_at) / ROW)
                    cells.append(Cell("covered", moment, who))
                    continue
                cell = Cell(
                    "appointment", moment, who, starting, int((ends - moment) / ROW), entries
                )
                cell.stacked = len(starting) > 1
                open_cell[who], covered_until[who] = cell, ends
            elif until is not None and moment < until:
                cells.append(Cell("covered", moment, who))
                continue
            else:
                cell = _time_cell(index, moments, blocks, pending, cursor[0], grid_start)
                cell.practitioner_id = who
                if cell.kind == "free":
                    cell.label, cell.who = labels[index], name
                    room = room_at(blocks, moment)
                    if not view.taken.clear(
                        practitioner_id=who, room_id=room, starts=moment, ends=moment + STEP
                    ):  # a colleague's booking holds the room: booking it would be refused
                        cell.kind, cell.room = "room", view.room_names.get(room, "Their room")
                    elif can_book and not has_passed(moment, now):
                        cell.book_url = (
                            f"{book_prefix}{who}&start={starts_q[index]}{patient_suffix}"
                        )
                open_cell[who] = cell
                covered_until[who] = moment + ROW * cell.rows
            cells.append(cell)
            drawn.append(cell)
        first = index % ROWS_PER_STEP == 0
        rows.append(
            Row(
                moment,
                labels[index] if first else "",
                cells,
                drawn,
                is_now=first and moment <= now < moment + STEP,
                now_line=moment <= now < after,
            )
        )
    for index, row in enumerate(rows):  # no cell may run past the bottom of the grid
        for cell in row.drawn:
            cell.rows = max(1, min(cell.rows, total - index))
    return rows


def _time_cell(index, moments, blocks, pending, cursor, grid_start) -> Cell:
    """The cell of time with no appointment from row `index`: as many rows as are alike
    (within hours or not), up to the next 15 minutes or the next appointment's row. A
    whole 15 minutes within hours is "free" (bookable); less is a "gap"."""
    moment = moments[index]

    def within(at: datetime) -> bool:
        return any(b.starts <= at and at + ROW <= b.ends for b in blocks)

    limit = index + ROWS_PER_STEP - index % ROWS_PER_STEP  # the next 15 minutes
    if cursor < len(pending):
        next_row = (_row_of(pending[cursor].starts_at, grid_start) - grid_start) // ROW
        limit = min(limit, next_row)
    here = within(moment)
    rows = 1
    while index + rows < limit and within(moments[index + rows]) == here:
        rows += 1
    if not here:
        kind = "off"
    elif rows == ROWS_PER_STEP:
        kind = "free"
    else:
        kind = "gap"
    return Cell(kind, moment, 0, rows=rows)
