"""Choice lists for patients."""

from django.db import models


class Title(models.TextChoices):
    MR = "Mr", "Mr"
    MRS = "Mrs", "Mrs"
    MS = "Ms", "Ms"
    MISS = "Miss", "Miss"
    MX = "Mx", "Mx"
    DR = "Dr", "Dr"
    PROF = "Prof", "Prof"
    NONE = "", "(none)"


class Sex(models.TextChoices):
    """Sex as recorded clinically (DOMAIN §6.1): drives pregnancy screening and Yellow Card."""

    FEMALE = "female", "Female"
    MALE = "male", "Male"
    INDETERMINATE = "indeterminate", "Indeterminate"
    NOT_KNOWN = "not-known", "Not known"


# Titles that usually go with one sex; a title that contradicts the recorded sex gets a
# gentle prompt (never a block: a patient's title is theirs to choose).
TITLE_USUAL_SEX = {
    Title.MR: Sex.MALE,
    Title.MRS: Sex.FEMALE,
    Title.MISS: Sex.FEMALE,
    Title.MS: Sex.FEMALE,
}


class PatientStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    ARCHIVED = "archived", "Archived"


class ReferralSource(models.TextChoices):
    SELF = "self", "Self-referral"
    GP = "gp", "GP"
    CONSULTANT = "consultant", "Consultant / specialist"
    OTHER_CLINIC = "other-clinic", "Another clinic"
    WEBSITE = "website", "Website / online search"
    RECOMMENDATION = "recommendation", "Friend or family recommendation"
    OTHER = "other", "Other"


class YesNoNotApplicable(models.TextChoices):
    """A screening answer where some questions do not apply to every patient."""

    YES = "yes", "Yes"
    NO = "no", "No"
    NOT_APPLICABLE = "n/a", "Not applicable"


class SubjectAccessCopyKind(models.TextChoices):
    """The form in which a subject access copy was produced."""

    JSON = "json", "JSON file"
    PRINT = "print", "Readable copy"


class SubjectAccessStatus(models.TextChoices):
    """Where a subject access request stands (UK GDPR Art. 15, DOMAIN §7.4)."""

    OPEN = "open", "Open"
    COMPLETED = "completed", "Completed"
    WITHDRAWN = "withdrawn", "Withdrawn"
