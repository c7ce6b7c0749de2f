"""Sessions read with their user and the user's access in one query (issue 14.1).

Django's database sessions cost three queries before a view starts (session, user, the
user's groups for the navigation) and two more for the first permission check. Here the
session row carries the user id as a column, so one SELECT ... JOIN reads the session and
the current user row together; and an `access` snapshot (role names, permission set,
the verified second-factor device) written once after sign-in, so permission checks and
the role badge read no table.

The per-request statements are compiled once per database connection (_SessionRead, the
UPDATE in SessionStore.save): the same SQL the ORM writes, without rebuilding and
compiling the query on every request (about 0.65 ms of CPU per request, issue 14.3).

Still revocable at once:
- the user row is read fresh on every request: a deactivated user (is_active false) is
  refused by the backend's own check, and a changed password fails the session hash,
  whatever the snapshot says; deactivation also deletes the user's sessions;
- the snapshot is cleared, and `access_stamp` bumped, in the same transaction as any
  change to the user's groups, direct permissions, superuser flag or OTP devices, or to
  a group's permissions (clinic.signals). A request that computed a snapshot writes it
  only if the stamp it read is still current (compare-and-set in the session UPDATE),
  so a change committed meanwhile is never overwritten by a stale snapshot.
"""

import logging

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.base import CreateError, UpdateError
from django.contrib.sessions.backends.db import SessionStore as DBSessionStore
from django.core.exceptions import SuspiciousOperation
from django.db import IntegrityError, connections, models, router, transaction
from django.db.models import Case, F, Value, When
from django.db.models.query import get_related_populators
from django.utils import timezone

from clinic.roles import Role

VALID_ROLE_NAMES = frozenset(role.value for role in Role)


def _user_id_of(data) -> int | None:
    value = data.get(SESSION_KEY)
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


class _SessionRead:
    """`StaffSession.objects.select_related("user").get(session_key=..., expire_date__gt=
    now)`, compiled by the ORM once for a database connection and then only executed:
    the rows are converted and the instances built as the ORM's ModelIterable does."""

    _PROBE = "-session-key-probe-"  # never a session key (they are [a-z0-9]{32})

    def __init__(self, model, connection):
        queryset = model.objects.using(connection.alias).select_related("user")
        queryset = queryset.filter(session_key=self._PROBE, expire_date__gt=timezone.now())
        compiler = queryset.query.get_compiler(connection=connection)
        self.sql, params = compiler.as_sql()
        if len(params) != 2:  # get() below fills in the key and the time
            raise RuntimeError(f"unexpected session query parameters: {params!r}")
        self.key_at = list(params).index(self._PROBE)
        self.expire_field = model._meta.get_field("expire_date")
        select, klass_info = compiler.select, compiler.klass_info
        self.converters = list(
            compiler.get_converters([column[0] for column in select[: compiler.col_count]]).items()
        )
        fields = klass_info["select_fields"]
        self.own = slice(fields[0], fields[-1] + 1)
        self.init_list = [column[0].target.attname for column in select[self.own]]
        self.model = model
        self.alias = connection.alias
        self.fetch_mode = queryset._fetch_mode
        self.populators = get_related_populators(
            klass_info, select, connection.alias, self.fetch_mode
        )

    @classmethod
    def for_connection(cls, model, connection):
        reader = getattr(connection, "_clinic_session_read", None)
        if reader is None or reader.model is not model:
            reader = connection._clinic_session_read = cls(model, connection)
        return reader

    def get(self, connection, session_key):
        params = [None, None]
        params[self.key_at] = session_key
        params[1 - self.key_at] = self.expire_field.get_db_prep_value(timezone.now(), connection)
        with connection.cursor() as cursor:
            cursor.execute(self.sql, params)
            row = cursor.fetchone()
        if row is None:
            return None
        row = list(row)
        for position, (converters, expression) in self.converters:
            value = row[position]
            for converter in converters:
                value = converter(value, expression, connection)
            row[position] = value
        obj = self.model.from_db(
            self.alias, self.init_list, row[self.own], fetch_mode=self.fetch_mode
        )
        for populator in self.populators:
            populator.populate(row, obj)
        return obj


class SessionStore(DBSessionStore):
    """The database session store on clinic.StaffSession (SESSION_ENGINE)."""

    def __init__(self, session_key=None):
        super().__init__(session_key)
        self.row = None  # the StaffSession read by load(), its user joined
        self._access_stamp = None
        self._pending_access = None

    @classmethod
    def get_model_class(cls):
        from clinic.models import StaffSession

        return StaffSession

    def _get_session_from_db(self):
        connection = connections[router.db_for_read(self.model)]
        try:
            row = _SessionRead.for_connection(self.model, connection).get(
                connection, self.session_key
            )
        except SuspiciousOperation as error:
            logging.getLogger(f"django.security.{error.__class__.__name__}").warning(str(error))
            row = None
        if row is None:
            self._session_key = None
        return row

    def load(self):
        row = self._get_session_from_db()
        self.row = row
        self._access_stamp = row.access_stamp if row is not None else None
        return self.decode(row.session_data) if row is not None else {}

    def remember_access(self, access: dict) -> None:
        """Keep `access` with the session: written with the next save, if no change to
        the account was committed since the stamp this request read."""
        self._pending_access = access
        self.modified = True

    def save(self, must_create=False):
        if self.session_key is None:
            return self.create()
        data = self._get_session(no_load=must_create)
        user_id = _user_id_of(data)
        pending = self._pending_access
        if pending is not None and pending.get("uid") != user_id:
            pending = None
        using = router.db_for_write(self.model)
        if must_create:
            obj = self.model(
                session_key=self._get_or_create_session_key(),
                session_data=self.encode(data),
                expire_date=self.get_expiry_date(),
                user_id=user_id,
            )
            try:
                with transaction.atomic(using=using):
                    obj.save(force_insert=True, using=using)
            except IntegrityError as error:
                raise CreateError from error
            self._access_stamp = 0
            return
        fields = {
            "session_data": self.encode(data),
            "expire_date": self.get_expiry_date(),
            "user_id": user_id,
        }
        if pending is not None and self._access_stamp is not None:
            fields["access"] = Case(
                When(access_stamp=self._access_stamp, then=Value(pending, models.JSONField())),
                default=F("access"),
                output_field=models.JSONField(),
            )
            sessions = self.model.objects.using(using).filter(session_key=self.session_key)
            updated = sessions.update(**fields)
        else:
            updated = self._update(connections[using], fields)
        if not updated:
            raise UpdateError
        self._pending_access = None

    def _update(self, connection, values: dict) -> int:
        """The usual save (data, expiry, user): the UPDATE the ORM would write, with the
        values prepared by their fields, without building the query each time."""
        meta = self.model._meta
        quote = connection.ops.quote_name
        names = list(values)
        sql = (
            f"UPDATE {quote(meta.db_table)} SET "  # noqa: S608 (the model's own table and columns)
            + ", ".join(f"{quote(meta.get_field(name).column)} = %s" for name in names)
            + f" WHERE {quote(meta.pk.column)} = %s"
        )
        params = [meta.get_field(name).get_db_prep_save(values[name], connection) for name in names]
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, self.session_key])
            return cursor.rowcount

    async def asave(self, must_create=False):  # pragma: no cover - the app is WSGI
        from asgiref.sync import sync_to_async

        return await sync_to_async(self.save)(must_create)


def compute_access(user, *, otp_device_id: str | None) -> dict:
    """What a page needs to know about `user`: 2-4 queries, once per sign-in or change."""
    perms = sorted(user.get_all_permissions())
    roles = [g.name for g in user.groups.all() if g.name in VALID_ROLE_NAMES]
    verified_device = None
    if otp_device_id:
        from django_otp.models import Device

        device = Device.from_persistent_id(otp_device_id)
        if device is not None and device.user_id == user.pk and device.confirmed:
            verified_device = otp_device_id
    return {"uid": user.pk, "perms": perms, "roles": roles, "otp": verified_device}


def forget_access(*, user_ids=None) -> None:
    """Clear the access snapshot of these users' sessions (of every session when None)."""
    from clinic.models import StaffSession

    sessions = StaffSession.objects.all()
    if user_ids is not None:
        sessions = sessions.filter(user_id__in=list(user_ids))
    sessions.update(access=None, access_stamp=F("access_stamp") + 1)
