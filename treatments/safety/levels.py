"""Levels and findings: what every rule returns."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Level(StrEnum):
    BLOCK = "block"
    OVERRIDE = "override"
    WARN = "warn"


LEVEL_ORDER = {Level.BLOCK: 0, Level.OVERRIDE: 1, Level.WARN: 2}


@dataclass(frozen=True)
class Finding:
    code: str  # stable, e.g. "interval.too_soon" or a DoseLimit code
    level: Level
    message: str  # for a practitioner, with the numbers in it
    source: str  # DOMAIN rule and source keys, e.g. "DOMAIN §10 rule 19; S7"
