"""Record-keeping dates: how long a patient's records are kept (DOMAIN §7.1, rule 43) and
when a subject access request is due (DOMAIN §7.4, rule 42). Pure date arithmetic: the
selector feeds it the dates it needs.

The periods are the NHS England Records Management Code's for health records [S66b] and
the UK GDPR's for subject access [S67], named here once with their source.
"""

import calendar
from dataclasses import dataclass
from datetime import MAXYEAR, MINYEAR, date

# [S66b] Adult health record: 8 years after the conclusion of treatment.
ADULT_YEARS_AFTER_TREATMENT = 8
# [S66b] Child's record: until the 25th birthday, or the 26th if 17 when treatment ended.
CHILD_RECORD_UNTIL_BIRTHDAY = 25
CHILD_RECORD_UNTIL_BIRTHDAY_IF_17 = 26
AGE_WITH_LONGER_CHILD_RULE = 17
RETENTION_SOURCE = "S66b"

# [S67] Respond within one calendar month; up to three in all when complex, if the
# requester is told within the first month.
SAR_RESPONSE_MONTHS = 1
SAR_EXTENDED_MONTHS = 3
SAR_SOURCE = "S67"


def add_months(start: date, months: int) -> date:
    """The same calendar date `months` later, or that month's last day if it has none
    (31 January + 1 month = 28/29 February), as the ICO counts a calendar month.

    Past the calendar's last day (a date stored as 20/12/9999) it is that last day
    (`date.max`), and before its first, the first: a page showing a deadline never fails
    on a mistyped year."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    if year > MAXYEAR:
        return date.max
    if year < MINYEAR:
        return date.min
    day = min(start.day, calendar.monthrange(year, month)[1])
    return date(year, month, day)


def birthday(date_of_birth: date, age: int) -> date:
    """The `age`-th birthday (29 February birthdays fall on 28 February)."""
    return add_months(date_of_birth, 12 * age)


def age_on(date_of_birth: date, on: date) -> int:
    return (
        on.year
        - date_of_birth.year
        - ((on.month, on.day) < (date_of_birth.month, date_of_birth.day))
    )


@dataclass(frozen=True)
class Retention:
    retain_until: date
    counted_from: date  # the last treatment, or registration when none
    rule: str  # which rule gave the later date, for the page
    source: str = RETENTION_SOURCE


def retain_until(
    *, date_of_birth: date, last_treatment_on: date, never_treated: bool = False
) -> Retention:
    """Rule 43: the later of 8 years after the last treatment and the 25th birthday (26th
    if the patient was 17 at the last treatment). A patient never treated here is counted
    from registration (`last_treatment_on` is then that date), and the rule says so."""
    adult = add_months(last_treatment_on, 12 * ADULT_YEARS_AFTER_TREATMENT)
    child_age = (
        CHILD_RECORD_UNTIL_BIRTHDAY_IF_17
        if age_on(date_of_birth, last_treatment_on) == AGE_WITH_LONGER_CHILD_RULE
        else CHILD_RECORD_UNTIL_BIRTHDAY
    )
    child = birthday(date_of_birth, child_age)
    if child > adult:
        return Retention(child, last_treatment_on, f"until the {child_age}th birthday")
    if never_treated:
        return Retention(
            adult,
            last_treatment_on,
            f"never treated here: {ADULT_YEARS_AFTER_TREATMENT} years after registration, as "
            f"if treated that day; a treatment here moves the date on",
        )
    return Retention(
        adult, last_treatment_on, f"{ADULT_YEARS_AFTER_TREATMENT} years after the last treatment"
    )


def sar_extension_allowed(sar) -> bool:
    """Rule 42: complex, and the patient told within the first month."""
    first_month_ends = add_months(sar.clock_starts_on, SAR_RESPONSE_MONTHS)
    return bool(
        sar.is_complex
        and sar.extension_notified_on is not None
        and sar.extension_notified_on <= first_month_ends
    )


def sar_due_on(sar) -> date:
    """Rule 42: one calendar month from receipt (or from the ID check, if later); three
    months when the extension is allowed."""
    months = SAR_EXTENDED_MONTHS if sar_extension_allowed(sar) else SAR_RESPONSE_MONTHS
    return add_months(sar.clock_starts_on, months)
