"""Shared abstract bases and small cross-app tables."""

from django.db import models, transaction
from django.utils import timezone


class TimeStampedModel(models.Model):
    """Adds created/modified timestamps (timezone-aware). `created_at` is a default rather
    than auto_now_add so that imports and the demo seed can carry the real dates."""

    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True, editable=False)

    class Meta:
        abstract = True


class SourcedReferenceModel(models.Model):
    """Reference data row whose clinical content comes from DOMAIN.md.

    `source` holds the DOMAIN.md source keys (e.g. "S7, S8") so that clinical staff can
    check and sign off each row; `verified_on` is when someone last checked it.
    """

    source = models.CharField(max_length=200, help_text="Source keys in DOMAIN.md §9")
    verified_on = models.DateField(help_text="Date the row was last checked against its source")

    class Meta:
        abstract = True


class Counter(models.Model):
    """A named, gap-free counter (e.g. clinic record numbers), allocated under a row lock."""

    name = models.CharField(max_length=50, primary_key=True)
    value = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name}={self.value}"

    @classmethod
    def allocate(cls, name: str, count: int = 1) -> range:
        """Reserve `count` consecutive numbers and return them as a range."""
        with transaction.atomic():
            counter, _ = cls.objects.select_for_update().get_or_create(name=name)
            start = counter.value + 1
            counter.value += count
            counter.save(update_fields=["value"])
        return range(start, start + count)
