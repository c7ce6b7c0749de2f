"""Password rules beyond Django's own validators (OWASP ASVS 5.0 V6.2)."""

from django.core.exceptions import ValidationError


class MaximumLengthValidator:
    """Allow long passphrases (ASVS: at least 64 characters) but refuse absurd lengths
    that only serve to make hashing expensive."""

    def __init__(self, max_length: int = 128):
        self.max_length = max_length

    def validate(self, password, user=None):
        if len(password) > self.max_length:
            raise ValidationError(
                f"This password is too long: at most {self.max_length} characters.",
                code="password_too_long",
                params={"max_length": self.max_length},
            )

    def get_help_text(self) -> str:
        return f"Your password can be up to {self.max_length} characters long."
