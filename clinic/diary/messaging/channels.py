"""How a message leaves the clinic: email through Django's mailer (console or file in the
demo, SMTP in production, locmem in the tests) and SMS through an `SmsProvider`
(settings.SMS_PROVIDER): the recording fake, which sends nothing, or Twilio's REST API.

A channel returns the provider's reference for the message, or raises: the task retries
and, after its last attempt, the message is marked failed.
"""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMessage, make_msgid


class SmsNotConfigured(Exception):
    """SMS_PROVIDER is empty: the SMS channel is off (messages are skipped, not failed)."""


class SmsProvider:
    """Sends one text message; returns the provider's reference for it."""

    name = "base"

    def send(self, to: str, text: str) -> str:  # pragma: no cover - an interface
        raise NotImplementedError


@dataclass
class SentSms:
    to: str
    text: str
    reference: str


class RecordingSmsProvider(SmsProvider):
    """Sends nothing: keeps what it would have sent (the demo and the tests). The outbox
    rows hold the text too, so the demo's outbox shows them."""

    name = "recording"
    sent: list[SentSms] = []
    _numbers = itertools.count(1)
    _lock = threading.Lock()

    def send(self, to: str, text: str) -> str:
        with self._lock:
            reference = f"fake-sms-{next(self._numbers)}"
            self.sent.append(SentSms(to=to, text=text, reference=reference))
        return reference

    @classmethod
    def clear(cls) -> None:
        cls.sent.clear()


class TwilioSmsProvider(SmsProvider):
    """Twilio's Messages API (https://www.twilio.com/docs/messaging/api/message-resource):
    POST /2010-04-01/Accounts/{sid}/Messages.json with To, From, Body; basic auth with the
    account SID and auth token; the reply's `sid` is the reference. Never called in tests."""

    name = "twilio"
    URL = "https://api.twilio.com/2010-04-01/Accounts/{sid}/Messages.json"
    TIMEOUT = 10  # seconds: the worker's task must not hang on the network

    def __init__(self, *, account_sid: str, auth_token: str, sender: str):
        if not (account_sid and auth_token and sender):
            raise ImproperlyConfigured(
                "SMS_PROVIDER=twilio needs TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and SMS_FROM."
            )
        self.account_sid, self.auth_token, self.sender = account_sid, auth_token, sender

    def send(self, to: str, text: str) -> str:
        # The standard library's HTTP client: no extra dependency for one POST.
        import base64
        import json
        import urllib.parse
        import urllib.request

        credentials = base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        request = urllib.request.Request(  # noqa: S310 - a fixed https URL
            self.URL.format(sid=urllib.parse.quote(self.account_sid)),
            data=urllib.parse.urlencode({"To": to, "From": self.sender, "Body": text}).encode(),
            headers={"Authorization": f"Basic {credentials}"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=self.TIMEOUT) as response:  # noqa: S310
            return str(json.load(response)["sid"])[:100]


def sms_provider() -> SmsProvider:
    """The provider SMS_PROVIDER names; SmsNotConfigured when SMS is off."""
    name = settings.SMS_PROVIDER
    if name == "recording":
        return RecordingSmsProvider()
    if name == "twilio":
        return TwilioSmsProvider(
            account_sid=settings.TWILIO_ACCOUNT_SID,
            auth_token=settings.TWILIO_AUTH_TOKEN,
            sender=settings.SMS_FROM,
        )
    if not name:
        raise SmsNotConfigured
    raise ImproperlyConfigured(f"Unknown SMS_PROVIDER {name!r}: recording, twilio or empty.")


def international_mobile(phone: str) -> str:
    """A UK number as the providers want it (+44...); others as given."""
    digits = "".join(ch for ch in phone if ch.isdigit() or ch == "+")
    if digits.startswith("+"):
        return digits
    if digits.startswith("0"):
        return "+44" + digits[1:]
    return digits


def send_email(*, to: str, subject: str, text: str) -> str:
    """Through the default mailer; the Message-ID is the reference."""
    reference = make_msgid(domain="clinic")
    message = EmailMessage(
        subject=subject,
        body=text,
        from_email=settings.CLINIC_FROM_EMAIL,
        to=[to],
        headers={"Message-ID": reference},
    )
    message.send()
    return reference[:100]


def send_sms(*, to: str, text: str) -> str:
    return sms_provider().send(international_mobile(to), text)
