"""Cross-cutting signal handlers (sessions and sign-in), connected in clinic.apps."""

from django.contrib.sessions.models import Session
from django.utils import timezone

from clinic.middleware import session_started, two_factor_pending_at_login


def end_sessions_of_deactivated_user(sender, instance, **kwargs):
    """post_save on User: a deactivated user's open sessions are deleted at once.

    (Their session cookie would be refused anyway, because the authentication backend
    rejects inactive users; this removes the sessions themselves.) Sessions are stored
    signed, not indexed by user, so this reads the unexpired ones: a clinic has a few
    dozen at a time, and deactivating a user is rare.
    """
    update_fields = kwargs.get("update_fields")
    if instance.is_active or (update_fields is not None and "is_active" not in update_fields):
        return
    user_id = str(instance.pk)
    stale = [
        session.pk
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if str(session.get_decoded().get("_auth_user_id")) == user_id
    ]
    if stale:
        Session.objects.filter(pk__in=stale).delete()


def connect():
    from django.contrib.auth import get_user_model
    from django.contrib.auth.signals import user_logged_in
    from django.db.models.signals import post_save

    user_logged_in.connect(session_started, dispatch_uid="clinic.session_started")
    user_logged_in.connect(two_factor_pending_at_login, dispatch_uid="clinic.two_factor_pending")
    post_save.connect(
        end_sessions_of_deactivated_user,
        sender=get_user_model(),
        dispatch_uid="clinic.end_sessions_of_deactivated_user",
    )
