"""The diary listens to treatments without treatments knowing of it, and to staff accounts
(a deactivated account's calendar link is revoked)."""


def _session_signed(sender, session, also=None, **kwargs):
    from clinic.diary.steps import complete_for_signed_session

    complete_for_signed_session(session=session, also=also)


def _session_withdrawn(sender, session, by, **kwargs):
    from clinic.diary.steps import release_for_withdrawn_session

    release_for_withdrawn_session(session=session, by=by)


def connect() -> None:
    from django.contrib.auth import get_user_model
    from django.db.models.signals import post_save

    from clinic.diary.feeds import revoke_feed_of_deactivated_user
    from treatments.signals import session_signed, session_withdrawn

    session_signed.connect(_session_signed, dispatch_uid="diary.session_signed")
    session_withdrawn.connect(_session_withdrawn, dispatch_uid="diary.session_withdrawn")
    post_save.connect(
        revoke_feed_of_deactivated_user,
        sender=get_user_model(),
        dispatch_uid="diary.revoke_feed_of_deactivated_user",
    )
