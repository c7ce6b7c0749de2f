"""Choice lists for the treatments app."""

from django.db import models


class UnitFamily(models.TextChoices):
    """Units belong to one product family's potency assay and are never converted (DOMAIN §1.2)."""

    ALLERGAN = "allergan", "Allergan (onabotulinumtoxinA)"
    SPEYWOOD = "speywood", "Speywood (abobotulinumtoxinA)"
    MERZ = "merz", "Merz (incobotulinumtoxinA)"
    EVOLUS = "evolus", "Evolus (prabotulinumtoxinA)"
    SOLSTICE_B = "solstice-b", "Solstice (rimabotulinumtoxinB)"
    REVANCE = "revance", "Revance (daxibotulinumtoxinA)"
    HUGEL = "hugel", "Hugel (letibotulinumtoxinA)"
    GALDERMA_RELA = "galderma-rela", "Galderma (relabotulinumtoxinA)"


class ProductForm(models.TextChoices):
    POWDER = "powder", "Powder for reconstitution"
    SOLUTION = "solution", "Ready-to-use solution"


class IndicationCategory(models.TextChoices):
    THERAPEUTIC = "therapeutic", "Therapeutic"
    COSMETIC = "cosmetic", "Cosmetic"
    OFF_LABEL = "off-label", "Off-label"
    INVESTIGATIONAL = "investigational", "Investigational"


class BodyRegion(models.TextChoices):
    HEAD_FACE = "head-face", "Head and face"
    EYE = "eye", "Eye and orbit"
    NECK = "neck", "Neck"
    SHOULDER_BACK = "shoulder-back", "Shoulder and back"
    UPPER_LIMB = "upper-limb", "Upper limb"
    LOWER_LIMB = "lower-limb", "Lower limb"
    BLADDER = "bladder", "Bladder"
    SALIVARY = "salivary", "Salivary glands"
    SKIN = "skin", "Skin (intradermal)"


class InstrumentDirection(models.TextChoices):
    LOWER_IS_BETTER = "lower", "Lower is better"
    HIGHER_IS_BETTER = "higher", "Higher is better"
