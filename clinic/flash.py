"""Flash messages (django.contrib.messages) that cost no session write when they name
nobody (issue 14.3).

Messages are kept in the server-side session (MESSAGE_STORAGE), because many name a
patient ("Archived Jane Doe"), and a patient's name has no place in a cookie. But every
message stored in the session costs an UPDATE of the session row twice: when the POST
adds it and when the next page shows it. A message whose text names no patient, staff
member or anything a patient said ("Draft saved.", "Session signed.") can travel in a
signed cookie instead (HttpOnly, Secure and SameSite as the session cookie, removed by
the page that shows it), and then the session row is not rewritten for it.

The view says so by adding the message with `extra_tags=NAMES_NOBODY`:

    messages.success(request, "Draft saved.", extra_tags=flash.NAMES_NOBODY)

Every other message is stored in the session as before. Messages are shown in the order
cookie first, then session (a request adds at most one of each in practice).
"""

from django.conf import settings
from django.contrib.messages.storage.base import BaseStorage
from django.contrib.messages.storage.cookie import CookieStorage
from django.contrib.messages.storage.session import SessionStorage

NAMES_NOBODY = "names-nobody"


def names_nobody(message) -> bool:
    return NAMES_NOBODY in (message.extra_tags or "").split()


class _Cookie(CookieStorage):
    @property
    def cookie_name(self) -> str:
        # Over HTTPS, the __Host- prefix as for the session cookie (clinic.settings.production).
        return "__Host-messages" if settings.SESSION_COOKIE_SECURE else "messages"


class SessionUnlessNamesNobodyStorage(BaseStorage):
    """MESSAGE_STORAGE: messages tagged NAMES_NOBODY in a signed cookie, the rest in the
    session."""

    def __init__(self, request, *args, **kwargs):
        self.cookie = _Cookie(request, *args, **kwargs)
        self.session = SessionStorage(request, *args, **kwargs)
        super().__init__(request, *args, **kwargs)

    def _get(self, *args, **kwargs):
        from_cookie, _ = self.cookie._get()
        from_session, _ = self.session._get()
        return [*(from_cookie or ()), *(from_session or ())], True

    def _store(self, messages, response, *args, **kwargs):
        plain = [m for m in messages if names_nobody(m)]
        rest = [m for m in messages if not names_nobody(m)]
        # A cookie too big for all of them hands the rest back: those go to the session.
        unstored = []
        if plain or self.cookie.cookie_name in self.request.COOKIES:
            unstored = self.cookie._store(plain, response, remove_oldest=False)
        self.session._store([*unstored, *rest], response)
        return []
