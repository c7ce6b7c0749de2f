"""The diary listens to treatments without treatments knowing of it, and to staff accounts
(a deactivated account's calendar link is revoked)."""


def _session_signed(sender, session, also=None, **kwargs):
    from clinic.diary.steps import complete_for_signed_session

    complete_for_signed_session(session=session, also=also)


def connect() -> None:
    from django.contrib.auth import get_user_model
    from django.db.models.signals import post_save

    from clinic.diary.feeds import revoke_feed_of_deactivated_user
    from treatments.signals import session_signed

    session_signed.connect(_session_signed, dispatch_uid="diary.session_signed")
    post_save.connect(
        revoke_feed_of_deactivated_user,
        sender=get_user_model(),
        dispatch_uid="diary.revoke_feed_of_deactivated_user",
    )
