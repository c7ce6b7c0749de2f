"""A two-step sign-in code that is not made of the digits 0 to 9 (superscripts, circled or
other scripts' digits pass str.isdigit() but not int()) gets the form's message, never a
500, on enrolment and on the second step of signing in."""

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.clinic.test_authentication import _signed_in

pytestmark = pytest.mark.django_db

MESSAGE = "Enter the 6 digits shown in your app, using the numbers 0 to 9 only."
NOT_ASCII_DIGITS = [
    "²²²²²²",
    "①②③④⑤⑥",
    "١٢٣٤٥٦",
    "\uff11\uff12\uff13\uff14\uff15\uff16",  # fullwidth 123456
]


@pytest.mark.parametrize("token", NOT_ASCII_DIGITS)
def test_setup_refuses_digits_other_than_0_to_9(settings, practitioner, token):
    settings.OTP_REQUIRED = True
    client = _signed_in(practitioner)
    client.get("/accounts/two-factor/setup/")
    response = client.post("/accounts/two-factor/setup/", {"token": token})
    assert response.status_code == 200
    html = response.content.decode()
    assert MESSAGE in html
    assert token in html  # what was typed is shown again
    assert not TOTPDevice.objects.filter(user=practitioner).exists()


@pytest.mark.parametrize("token", NOT_ASCII_DIGITS)
def test_verify_refuses_digits_other_than_0_to_9(manager, token):
    device = TOTPDevice.objects.create(user=manager, name="phone", confirmed=True)
    client = _signed_in(manager)
    response = client.post("/accounts/two-factor/", {"token": token})
    assert response.status_code == 200
    assert MESSAGE in response.content.decode()
    device.refresh_from_db()
    assert device.throttling_failure_count == 0  # refused by the form, not a wrong try
