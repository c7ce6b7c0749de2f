"""The diary listens to treatments without treatments knowing of it."""


def _session_signed(sender, session, also=None, **kwargs):
    from clinic.diary.services import complete_for_signed_session

    complete_for_signed_session(session=session, also=also)


def connect() -> None:
    from treatments.signals import session_signed

    session_signed.connect(_session_signed, dispatch_uid="diary.session_signed")
