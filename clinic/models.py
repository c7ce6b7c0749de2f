"""Shared abstract bases and small cross-app tables."""

from django.conf import settings
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import connections, models, router, transaction
from django.utils import timezone

from clinic.access_chain import fill_chain


class TimeStampedModel(models.Model):
    """Adds created/modified timestamps (timezone-aware). `created_at` is a default rather
    than auto_now_add so that imports and the demo seed can carry the real dates."""

    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True, editable=False)

    class Meta:
        abstract = True


class SourcedReferenceModel(models.Model):
    """Reference data row whose clinical content comes from DOMAIN.md.

    `source` holds the DOMAIN.md source keys (e.g. "S7, S8") so that clinical staff can
    check and sign off each row; `verified_on` is when someone last checked it.
    """

    source = models.CharField(max_length=200, help_text="Source keys in DOMAIN.md §9")
    verified_on = models.DateField(help_text="Date the row was last checked against its source")

    class Meta:
        abstract = True


class Counter(models.Model):
    """A named, gap-free counter (e.g. clinic record numbers), allocated under a row lock."""

    name = models.CharField(max_length=50, primary_key=True)
    value = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name}={self.value}"

    @classmethod
    def allocate(cls, name: str, count: int = 1) -> range:
        """Reserve `count` consecutive numbers and return them as a range.

        One statement on the usual path (issue 14.3): UPDATE ... RETURNING takes the row
        lock, adds and reads the new value at once (PostgreSQL, SQLite >= 3.35). The
        first use of a name creates its row."""
        using = router.db_for_write(cls)
        sql = "UPDATE clinic_counter SET value = value + %s WHERE name = %s RETURNING value"
        with connections[using].cursor() as cursor:
            cursor.execute(sql, [count, name])
            row = cursor.fetchone()
            if row is None:  # get_or_create: a concurrent first use is not an error
                cls.objects.using(using).get_or_create(name=name)
                cursor.execute(sql, [count, name])
                row = cursor.fetchone()
        end = row[0]
        return range(end - count + 1, end + 1)

    @classmethod
    def next_value_sql(cls, name: str) -> tuple[str, list]:
        """The next number of `name` as a PostgreSQL WITH item (`value`), for a statement
        that writes the row the number is for: the row lock and the increment of
        allocate(), the first use creating the row (INSERT ... ON CONFLICT DO UPDATE)."""
        table = cls._meta.db_table
        return (
            f"INSERT INTO {table} (name, value) VALUES (%s, 1) "  # noqa: S608 (its own table)
            f"ON CONFLICT (name) DO UPDATE SET value = {table}.value + 1 RETURNING value",
            [name],
        )


class AccessEventQuerySet(models.QuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        """On SQLite the chain is computed here (PostgreSQL: by the insert trigger)."""
        if connections[self.db].vendor == "postgresql":
            return super().bulk_create(objs, *args, **kwargs)
        objs = list(objs)
        with transaction.atomic(using=self.db, savepoint=False):
            for obj in objs:
                if hasattr(obj.patient_id, "resolve_expression"):
                    obj.patient_id = _chain_head(self.db, obj.patient_id)[2]
            fill_chain(objs, _chain_head(self.db)[:2])
            return super().bulk_create(objs, *args, **kwargs)


def _chain_head(using: str, patient=None) -> tuple:
    """SQLite writer, in ONE query: (chain_seq, row_hash) of the last event (Nones when
    the log is empty) and the patient's id (a subquery from clinic.audit's resolvers is
    evaluated; a plain value passes through)."""
    sql = (
        "SELECT (SELECT chain_seq FROM clinic_accessevent ORDER BY chain_seq DESC LIMIT 1),"
        " (SELECT row_hash FROM clinic_accessevent ORDER BY chain_seq DESC LIMIT 1)"
    )
    params: tuple = ()
    resolve = hasattr(patient, "resolve_expression")
    if resolve:
        subquery, params = patient.query.get_compiler(using).as_sql()
        sql += f", ({subquery})"  # compiled by the ORM, with its params
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return (row[0], row[1], row[2] if resolve else patient)


class AccessEvent(models.Model):
    """One read of clinical data, search, export, report download or print (DOMAIN §7.2,
    rule 44). Append-only: written once per request by clinic.audit, never changed; on
    PostgreSQL a trigger (migration 0004) refuses UPDATE, DELETE and TRUNCATE, and the
    runtime database role holds only INSERT and SELECT on the table (clinic.db_roles).

    A hash chain (clinic.access_chain, migration 0005) links every event to the previous
    one: `chain_seq`, `prev_hash` and `row_hash` are set by a PostgreSQL trigger whatever
    the writer sends, or by save()/bulk_create() on SQLite. `manage.py verify_access_log`
    checks it.

    `username` and `role` are copied at the time of access so the row still reads right
    after a user is renamed or changes role. The user and patient foreign keys PROTECT:
    staff are deactivated and patients archived, never deleted.
    """

    occurred_at = models.DateTimeField(default=timezone.now, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        editable=False,
    )
    username = models.CharField(max_length=150, editable=False)
    role = models.CharField(max_length=100, blank=True, editable=False)
    patient = models.ForeignKey(
        "patients.Patient",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        editable=False,
    )
    action = models.CharField(max_length=60, editable=False)
    object_ref = models.CharField(max_length=200, blank=True, editable=False)
    method = models.CharField(max_length=8, editable=False)
    path = models.CharField(max_length=500, editable=False)
    ip_address = models.GenericIPAddressField(null=True, blank=True, editable=False)
    status_code = models.PositiveSmallIntegerField(editable=False)
    chain_seq = models.BigIntegerField(unique=True, editable=False)
    prev_hash = models.CharField(max_length=64, default="", editable=False)
    row_hash = models.CharField(max_length=64, default="", editable=False)

    objects = AccessEventQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        # Default add/change/delete permissions exist but no role holds them and the app
        # offers no way to use them; the admin is read-only (clinic/admin.py).
        permissions = [
            ("requires_two_factor", "Must sign in with a second factor (when OTP_REQUIRED)"),
        ]
        indexes = [
            models.Index(fields=["patient", "occurred_at"], name="access_patient_time_idx"),
            models.Index(fields=["user", "occurred_at"], name="access_user_time_idx"),
            models.Index(fields=["occurred_at"], name="access_time_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.username} {self.action}"

    def save(self, *args, **kwargs):
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        if not self._state.adding or connections[using].vendor == "postgresql":
            return super().save(*args, **kwargs)
        # No savepoint inside a request's transaction: one SELECT, then the INSERT.
        with transaction.atomic(using=using, savepoint=False):
            last_seq, last_hash, self.patient_id = _chain_head(using, self.patient_id)
            fill_chain([self], (last_seq, last_hash))
            return super().save(*args, **kwargs)

    @property
    def page(self) -> str:
        """The path as shown to readers of the log: without a query string. Events are
        written without one (clinic.audit); older rows may hold a search's terms (a
        name, an NHS number) that the reader's role may not see."""
        return self.path.partition("?")[0]


class SubmissionToken(models.Model):
    """A create form's one-time token, claimed in the same transaction as the record the
    form creates (clinic.idempotency): a double-click or a replayed POST finds the token
    taken and is sent to `result_url`, the first submission's result, instead of making
    a second record. Only the user who claimed it may be sent there."""

    token = models.UUIDField(primary_key=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )
    result_url = models.CharField(max_length=300, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.token} -> {self.result_url or '(in progress)'}"


class StaffSession(AbstractBaseSession):
    """A signed-in session, read with its user in one query per request (issue 14.1).

    `user` is copied from the session data on every save, so a user's sessions can be
    found (deactivation deletes them) and the user row comes with the session in one
    JOIN. `access` caches what a page needs to know about the user (role names, the
    permission set, the verified second-factor device): written once after sign-in and
    cleared, with `access_stamp` bumped, in the same transaction as any change to the
    account's roles, permissions, superuser flag or devices (clinic.session_store)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=True,
    )
    access = models.JSONField(null=True, blank=True)
    access_stamp = models.PositiveIntegerField(default=0)

    class Meta(AbstractBaseSession.Meta):
        db_table = "clinic_staff_session"

    @classmethod
    def get_session_store_class(cls):
        from clinic.session_store import SessionStore

        return SessionStore
