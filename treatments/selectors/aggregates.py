"""Query expressions the treatments selectors share."""

from decimal import Decimal

from django.db.models import DecimalField, Value

ZERO = Value(Decimal(0), output_field=DecimalField(max_digits=10, decimal_places=2))
