"""Cross-cutting signal handlers (sessions and sign-in), connected in clinic.apps."""

from clinic.middleware import session_started, two_factor_pending_at_login
from clinic.models import StaffSession
from clinic.request_user import remember_access_at_login
from clinic.session_store import forget_access


def end_sessions_of_deactivated_user(sender, instance, **kwargs):
    """post_save on User: a deactivated user's open sessions are deleted at once.

    (Their session cookie would be refused anyway: the user row is read with the session
    on every request and the authentication backend rejects inactive users; this removes
    the sessions themselves.) Sessions carry their user id (clinic.StaffSession)."""
    update_fields = kwargs.get("update_fields")
    if instance.is_active or (update_fields is not None and "is_active" not in update_fields):
        return
    StaffSession.objects.filter(user_id=instance.pk).delete()


def forget_access_of_changed_user(sender, instance, **kwargs):
    """post_save on User: the superuser flag (and so the permission set) may have changed.
    Signing in only writes last_login: that keeps the snapshot."""
    update_fields = kwargs.get("update_fields")
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return
    if kwargs.get("created"):
        return
    forget_access(user_ids=[instance.pk])


def forget_access_of_members(sender, instance, action, reverse, model, pk_set, **kwargs):
    """m2m_changed on user.groups and user.user_permissions: that user's sessions; from
    the other side (group.user_set, permission.user_set), every session."""
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if not reverse:
        forget_access(user_ids=[instance.pk])
    else:
        forget_access()


def forget_access_of_everyone(sender, action, **kwargs):
    """m2m_changed on group.permissions (sync_roles, the admin): every session."""
    if action in ("post_add", "post_remove", "post_clear"):
        forget_access()


def forget_access_of_everyone_on_delete(sender, instance, **kwargs):
    """post_delete of a group or a permission: the cascade removes its membership and
    grant rows without m2m_changed, so every session re-reads what it may do."""
    forget_access()


def forget_access_of_device_owner(sender, instance, **kwargs):
    """post_save / post_delete on an OTP device: its user's sessions re-check it."""
    if instance.user_id is not None:
        forget_access(user_ids=[instance.user_id])


def connect():
    from django.apps import apps
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group, Permission
    from django.contrib.auth.signals import user_logged_in
    from django.db.models.signals import m2m_changed, post_delete, post_save
    from django_otp.models import Device

    user_logged_in.connect(session_started, dispatch_uid="clinic.session_started")
    user_logged_in.connect(two_factor_pending_at_login, dispatch_uid="clinic.two_factor_pending")
    # After two_factor_pending (receivers run in order): the snapshot at sign-in.
    user_logged_in.connect(remember_access_at_login, dispatch_uid="clinic.remember_access")
    user_model = get_user_model()
    post_save.connect(
        forget_access_of_changed_user, sender=user_model, dispatch_uid="clinic.forget_access_user"
    )
    for through in (user_model.groups.through, user_model.user_permissions.through):
        m2m_changed.connect(
            forget_access_of_members, sender=through, dispatch_uid=f"clinic.forget_{through}"
        )
    m2m_changed.connect(
        forget_access_of_everyone,
        sender=Group.permissions.through,
        dispatch_uid="clinic.forget_access_groups",
    )
    for model in (Group, Permission):
        post_delete.connect(
            forget_access_of_everyone_on_delete,
            sender=model,
            dispatch_uid=f"clinic.forget_access_deleted_{model._meta.model_name}",
        )
    for model in apps.get_models():
        if issubclass(model, Device):
            for signal in (post_save, post_delete):
                signal.connect(
                    forget_access_of_device_owner,
                    sender=model,
                    dispatch_uid=f"clinic.forget_access_device_{model._meta.label}",
                )
    post_save.connect(
        end_sessions_of_deactivated_user,
        sender=get_user_model(),
        dispatch_uid="clinic.end_sessions_of_deactivated_user",
    )
