# Clinical text keeps the typography of DOMAIN.md (en dashes, multiplication and minus signs).
# ruff: noqa: RUF001
"""Seed the dose-safety reference data the engine reads (treatments.safety).

From DOMAIN.md §1.3-1.4, §2, §3.1-3.4, §10 rules 8-32 and §11:

1. product contraindication flags (§3.4, rules 22-24, 30);
2. each indication's safety profile (the indication-specific rule set of §10);
3. SafetyParameter rows for every key in treatments.safety.PARAMETER_KEYS (and the two
   follow-up intervals);
4. DoseGuideline rows: every UK-licensed product x indication pairing, plus the US-only and
   off-label pairings a London clinic may use (licensed_uk=False);
5. DoseLimit rows (§3.1, rules 8-15 and 17);
6. SiteTemplate rows (PREEMPT, bladder, axillary grid, cosmetic standard points).

The data lives here as literals so that later model changes never alter history. `source`
holds the DOMAIN.md §9 keys ("§10 rule N" where the rule list itself is the source);
anything DOMAIN marks "verify" or "not sourced here" is repeated in the row's notes.
Every write is an update_or_create on a natural key, and `unseed` removes exactly what
`seed` created (and puts back what it changed).
"""

import datetime
from decimal import Decimal as D

from django.db import migrations

VERIFIED_ON = datetime.date(2026, 11, 21)

# ---------------------------------------------------------------------------
# 1. Product flags (DOMAIN §3.4; §10 rules 22, 23, 24, 30)
# ---------------------------------------------------------------------------
PRODUCT_FLAG_DEFAULTS = {
    "milk_protein_contraindicated": False,
    "cosmetic_neuromuscular_contraindicated": False,
    "inflammation_contraindicated": False,
    "cosmetic_max_age_years": None,
}

# source_suffix / notes_suffix are appended to the 0002 row (and removed again by unseed).
PRODUCT_FLAGS = [
    {
        "slug": "dysport",
        "flags": {"milk_protein_contraindicated": True, "cosmetic_max_age_years": 65},
        "source_suffix": "; §3.4: S40, S91",
        "notes_suffix": (
            " Contraindications (§3.4): cow's milk protein allergy [S40][S91] (rule 23). "
            "Cosmetic licence: adults under 65 [S40] (rule 30)."
        ),
    },
    {
        "slug": "azzalure",
        "flags": {
            "milk_protein_contraindicated": True,
            "cosmetic_neuromuscular_contraindicated": True,
            "cosmetic_max_age_years": 65,
        },
        "source_suffix": "; §3.4: S30b, S91",
        "notes_suffix": (
            " Contraindications (§3.4): cow's milk protein allergy by the same formulation as "
            "Dysport (not sourced here: verify) (rule 23); myasthenia gravis / Lambert-Eaton "
            "and ALS for cosmetic use [S30b] (rule 24; ALS has no flag of its own). "
            "Cosmetic licence: adults under 65 [S30] (rule 30)."
        ),
    },
    {
        "slug": "vistabel",
        "flags": {"cosmetic_neuromuscular_contraindicated": True},
        "source_suffix": "; §3.4: S99",
        "notes_suffix": (
            " Contraindications (§3.4): myasthenia gravis / Lambert-Eaton for cosmetic use "
            "[S99] (rule 24). Limited data over 65 [S29]."
        ),
    },
    {
        "slug": "bocouture",
        "flags": {
            "cosmetic_neuromuscular_contraindicated": True,
            "inflammation_contraindicated": True,
            "cosmetic_max_age_years": 65,
        },
        "source_suffix": "; §3.4: S33",
        "notes_suffix": (
            " Contraindications (§3.4): myasthenia gravis / Lambert-Eaton for cosmetic use and "
            "inflammation at the injection site [S33] (rules 22, 24). Cosmetic licence: adults "
            "18 to under 65 [S32] (rule 30)."
        ),
    },
]

# ---------------------------------------------------------------------------
# 2. Indication safety profiles (DOMAIN §10 rules 14-16, 26)
# ---------------------------------------------------------------------------
SAFETY_PROFILES = {
    "oab": "bladder",
    "ndo-adult": "bladder",
    "ndo-paediatric": "bladder",
    "chronic-migraine": "chronic-migraine",
    "blepharospasm": "blepharospasm",
    "hemifacial-spasm": "blepharospasm",
    "strabismus": "strabismus",
}
DEFAULT_SAFETY_PROFILE = "general"

# ---------------------------------------------------------------------------
# Anatomical site fixes. 0002 seeded the sternocleidomastoid with an empty muscle group,
# so a muscle-group limit could not name it (an empty group would match every ungrouped
# neck muscle). The SCM ≤100 U limit (rule 14) needs a group of its own.
# ---------------------------------------------------------------------------
SITE_MUSCLE_GROUPS = [
    # (site slug, muscle group set here, muscle group seeded by 0002)
    ("sternocleidomastoid", "Sternocleidomastoid", ""),
]

# ---------------------------------------------------------------------------
# 3. Safety parameters (treatments.safety.PARAMETER_KEYS + follow-up intervals)
# ---------------------------------------------------------------------------
SAFETY_PARAMETERS = [
    {
        "key": "adult_age_years",
        "value": D("18"),
        "unit": "years",
        "description": "Age from which a patient counts as an adult for dose limits "
        "(population adult / child).",
        "source": "§10 rules 8, 9, 31; S8",
    },
    {
        "key": "other_family_window_days",
        "value": D("112"),
        "unit": "days",
        "description": "Warn when a different toxin product family was given within this "
        "many days (16 weeks).",
        "source": "§10 rule 2; S54, S53b, S99",
    },
    {
        "key": "volume_mismatch_percent",
        "value": D("5"),
        "unit": "%",
        "description": "Warn when entered units and units computed from volume × "
        "concentration differ by more than this.",
        "source": "§10 rule 6 (derived)",
    },
    {
        "key": "child_weight_valid_days",
        "value": D("90"),
        "unit": "days",
        "description": "A child's weight for per-kg limits must have been measured within "
        "this many days.",
        "source": "§10 rule 9 (derived)",
    },
    {
        "key": "top_up_window_days",
        "value": D("14"),
        "unit": "days",
        "description": "A second session for the same area within this many days is a "
        "top-up of the index session (practice, not label).",
        "source": "§10 rule 20; S108",
    },
    {
        "key": "bladder_pvr_max_ml",
        "value": D("200"),
        "unit": "mL",
        "description": "Intradetrusor injection is contraindicated above this post-void "
        "residual in a patient not performing CIC.",
        "source": "§10 rule 26; S21, S22",
    },
    {
        "key": "antiplatelet_stop_days",
        "value": D("3"),
        "unit": "days",
        "description": "Antiplatelet drugs should be stopped at least this many days before "
        "intradetrusor injection.",
        "source": "§10 rule 26; S16",
    },
    {
        "key": "cosmetic_min_age_years",
        "value": D("18"),
        "unit": "years",
        "description": "Cosmetic toxin under this age is a criminal offence in England "
        "(booking and administration).",
        "source": "§10 rule 29; S74",
    },
    {
        "key": "cosmetic_caution_age_years",
        "value": D("65"),
        "unit": "years",
        "description": "Cosmetic use from this age is outside the Azzalure / Bocouture / "
        "Dysport cosmetic licence (warn).",
        "source": "§10 rule 30; S30, S32, S40",
    },
    {
        "key": "bladder_review_days",
        "value": D("14"),
        "unit": "days",
        "description": "Days after an intradetrusor injection for the PVR / UTI review task "
        "(about 2 weeks).",
        "source": "§10 rule 26; S101",
    },
    {
        "key": "first_treatment_review_days",
        "value": D("14"),
        "unit": "days",
        "description": "Days after a patient's first treatment for the review call "
        "(clinic practice, not sourced).",
        "source": "Clinic practice (not sourced)",
    },
]

# ---------------------------------------------------------------------------
# 4. Dose guidelines (product x indication). licensed_uk=True rows are exactly the
# Indication.uk_licensed_products pairings seeded by 0002; the rest are US-only or
# off-label uses (rule 32: they need off-label consent).
# "min"/"max" = expected_min_units/expected_max_units (a dose outside warns, rules 16-18);
# "interval" overrides the indication's default minimum interval (§3.2, rule 19);
# "age"/"weight" = product-specific minimum age / weight (rule 31).
# ---------------------------------------------------------------------------
DOSE_GUIDELINES = [
    # Chronic migraine
    {
        "product": "botox",
        "indication": "chronic-migraine",
        "licensed_uk": True,
        "min": D("155"),
        "max": D("195"),
        "source": "S7, S9, S93",
        "notes": "PREEMPT: 155 U over 31 sites, up to 195 U over 39 with follow-the-pain; "
        "5 U per 0.1 mL per site; every 12 weeks.",
    },
    # Cervical dystonia
    {
        "product": "botox",
        "indication": "cervical-dystonia",
        "licensed_uk": True,
        "min": D("25"),
        "max": D("300"),
        "interval": 70,
        "age": 12,
        "source": "S24, S20, S23, S8",
        "notes": "UK 25–200 U per session (secondary summary); first course ≤200 U, ≤300 U "
        "per sitting, ≤50 U per site, SCM ≤100 U: verify (UK SmPC not retrieved). US median "
        "236 U (198–300). Not more often than every 10 weeks (UK).",
    },
    {
        "product": "dysport",
        "indication": "cervical-dystonia",
        "licensed_uk": True,
        "min": D("250"),
        "max": D("1000"),
        "source": "S37, S34, S35",
        "notes": "500 U initially into the 2–3 most active muscles; subsequently 250–1000 U. "
        "Reconstitute at 500 U/mL. Interval not sourced here (typically ≥12 weeks).",
    },
    {
        "product": "xeomin",
        "indication": "cervical-dystonia",
        "licensed_uk": True,
        "min": D("120"),
        "max": D("400"),
        "source": "S50, S46, S45",
        "notes": "US: 120 U initial, max 400 U per session; UK SmPC may differ: verify.",
    },
    # Blepharospasm
    {
        "product": "botox",
        "indication": "blepharospasm",
        "licensed_uk": True,
        "age": 12,
        "source": "S9, S25, S13, S8",
        "notes": "1.25–2.5 U per site; initial ≤25 U per eye; ≤100 U per 12 weeks (UK); US "
        "≤200 U in 30 days. Little benefit above 5 U per site.",
    },
    {
        "product": "dysport",
        "indication": "blepharospasm",
        "licensed_uk": True,
        "source": "S34, S35, S42c",
        "notes": "Reconstitute at 200 U/mL. Dose: verify current UK SmPC (old PI: 120 U per "
        "eye initially, repeated about 8-weekly).",
    },
    {
        "product": "xeomin",
        "indication": "blepharospasm",
        "licensed_uk": True,
        "source": "S45, S49",
        "notes": "US: same total as the previous BOTOX dose; if unknown 1.25–2.5 U per site, "
        "initial ≤35 U per eye / ≤70 U total.",
    },
    # Hemifacial spasm
    {
        "product": "botox",
        "indication": "hemifacial-spasm",
        "licensed_uk": True,
        "age": 12,
        "source": "S9, S25, S8",
        "notes": "Treated as unilateral blepharospasm (same per-site doses, 1.25–2.5 U).",
    },
    {
        "product": "dysport",
        "indication": "hemifacial-spasm",
        "licensed_uk": True,
        "source": "S34, S35",
        "notes": "Reconstitute at 200 U/mL. Dose: verify current UK SmPC.",
    },
    {
        "product": "xeomin",
        "indication": "hemifacial-spasm",
        "licensed_uk": True,
        "source": "S45",
        "notes": "Dose not retrieved here: verify current UK SmPC.",
    },
    # Adult spasticity
    {
        "product": "botox",
        "indication": "spasticity-ul-adult",
        "licensed_uk": True,
        "source": "S26, S20, S20b",
        "notes": "Up to 400 U (UK and US); ≤50 U per site; shoulder muscles combined ≤250 U; "
        "lumbricals/interossei ≤50 U per hand (UK).",
    },
    {
        "product": "dysport",
        "indication": "spasticity-ul-adult",
        "licensed_uk": True,
        "source": "S43, S34",
        "notes": "≤1000 U per session (UK); ≤1 mL per site.",
    },
    {
        "product": "xeomin",
        "indication": "spasticity-ul-adult",
        "licensed_uk": True,
        "source": "S46, S45",
        "notes": "US up to 400 U per session; UK up to 500 U (not sourced here): verify. "
        "Most re-treated at 12–14 weeks.",
    },
    {
        "product": "botox",
        "indication": "spasticity-ll-adult",
        "licensed_uk": True,
        "source": "S9",
        "notes": "UK ankle/foot dose not retrieved; US 300–400 U over up to 5 muscles (not "
        "sourced here): verify.",
    },
    {
        "product": "dysport",
        "indication": "spasticity-ll-adult",
        "licensed_uk": True,
        "source": "S34",
        "notes": "Up to 1500 U (not sourced here): verify.",
    },
    {
        "product": "xeomin",
        "indication": "spasticity-ll-adult",
        "licensed_uk": True,
        "source": "S45",
        "notes": "UK ankle indication exists; dose not retrieved: verify.",
    },
    # Paediatric spasticity
    {
        "product": "botox",
        "indication": "spasticity-paed-ul",
        "licensed_uk": True,
        "interval": 84,
        "age": 2,
        "source": "S9, S15, S8",
        "notes": "3–6 U/kg, max the lower of 6 U/kg and 200 U (US); all limbs lower of "
        "10 U/kg and 340 U per 3 months (verify). UK paediatric figures: verify. ≥12 weeks. "
        "Specialist rehabilitation setting only.",
    },
    {
        "product": "dysport",
        "indication": "spasticity-paed-ul",
        "licensed_uk": True,
        "interval": 112,
        "age": 2,
        "source": "S34, S36, S38, S8",
        "notes": "Unilateral max lower of 16 U/kg and 640 U; bilateral lower of 21 U/kg and "
        "840 U (UK); all limbs lower of 30 U/kg and 1000 U; ≤0.5 mL per site; ≥16 weeks.",
    },
    {
        "product": "botox",
        "indication": "spasticity-paed-ll",
        "licensed_uk": True,
        "age": 2,
        "source": "S9, S15, S8",
        "notes": "4–8 U/kg, max lower of 8 U/kg and 300 U (not sourced here): verify. "
        "≥12 weeks. Specialist rehabilitation setting only.",
    },
    {
        "product": "dysport",
        "indication": "spasticity-paed-ll",
        "licensed_uk": True,
        "age": 2,
        "source": "S34, S36, S38, S8",
        "notes": "Unilateral 10–15 U/kg (max 15 U/kg), bilateral 20–30 U/kg (max 30 U/kg); "
        "all limbs lower of 30 U/kg and 1000 U; ≤0.5 mL per site; ≥12 weeks.",
    },
    # Axillary hyperhidrosis
    {
        "product": "botox",
        "indication": "hyperhidrosis-axillary",
        "licensed_uk": True,
        "min": D("100"),
        "max": D("100"),
        "interval": 84,
        "age": 12,
        "source": "S9, S48b, S48c, S98, S8",
        "notes": "50 U per axilla, both axillae (100 U), 10–15 intradermal sites 1–2 cm apart. "
        "Re-treat on recurrence (effect 4–7 months); no labelled minimum found, 12-week "
        "default (§3.2). Limited data 12–17 y. A one-axilla session (50 U) warns.",
    },
    {
        "product": "dysport",
        "indication": "hyperhidrosis-axillary",
        "licensed_uk": True,
        "min": D("200"),
        "max": D("400"),
        "interval": 112,
        "source": "S34, S42",
        "notes": "100 U per axilla initially (10 sites × 10 U/0.05 mL at 200 U/mL); up to "
        "200 U per axilla later. Not more often than every 16 weeks.",
    },
    # Bladder
    {
        "product": "botox",
        "indication": "oab",
        "licensed_uk": True,
        "min": D("100"),
        "max": D("100"),
        "source": "S9, S19, S19b",
        "notes": "100 U as 20 × 0.5 mL (5 U) intradetrusor, avoiding the trigone. 12-week "
        "minimum not sourced for OAB: verify.",
    },
    {
        "product": "botox",
        "indication": "ndo-adult",
        "licensed_uk": True,
        "min": D("200"),
        "max": D("200"),
        "source": "S9, S16, S20, S11",
        "notes": "200 U in 30 mL: 30 × 1 mL (~6.7 U) intradetrusor + 1 mL saline flush. "
        "Median time to re-treatment 42–48 weeks; no sooner than 12 weeks.",
    },
    {
        "product": "dysport",
        "indication": "ndo-adult",
        "licensed_uk": True,
        "source": "S35",
        "notes": "UK: patients performing CIC only; reconstitute at 600/800 U/mL. Dose not "
        "retrieved here: verify.",
    },
    # Sialorrhoea
    {
        "product": "xeomin",
        "indication": "sialorrhoea-adult",
        "licensed_uk": True,
        "min": D("100"),
        "max": D("100"),
        "interval": 112,
        "source": "S45, S47, S48",
        "notes": "30 U per parotid, 20 U per submandibular gland; ultrasound guidance "
        "recommended. Dosing seen only in a secondary summary: verify. ≥16 weeks.",
    },
    {
        "product": "xeomin",
        "indication": "sialorrhoea-paediatric",
        "licensed_uk": True,
        "interval": 112,
        "age": 2,
        "weight": D("12"),
        "source": "S45, S48",
        "notes": "2–17 y and ≥12 kg; weight-based, 3:2 parotid:submandibular. Dosing seen only "
        "in a secondary summary: verify. ≥16 weeks.",
    },
    # Glabellar lines
    {
        "product": "botox",
        "indication": "glabellar-lines",
        "licensed_uk": True,
        "min": D("20"),
        "max": D("20"),
        "source": "S9, S27, S28",
        "notes": "5 sites × 4 U (2 per corrugator, 1 procerus).",
    },
    {
        "product": "vistabel",
        "indication": "glabellar-lines",
        "licensed_uk": True,
        "min": D("20"),
        "max": D("20"),
        "source": "S29, S27, S28",
        "notes": "5 sites × 4 U. Current UK status of Vistabel: verify [S55].",
    },
    {
        "product": "azzalure",
        "indication": "glabellar-lines",
        "licensed_uk": True,
        "min": D("50"),
        "max": D("50"),
        "source": "S30, S31",
        "notes": "5 sites × 10 Speywood U (10 U per 0.05 mL). Adults under 65.",
    },
    {
        "product": "bocouture",
        "indication": "glabellar-lines",
        "licensed_uk": True,
        "min": D("20"),
        "max": D("30"),
        "source": "S32",
        "notes": "5 sites × 4 U (20 U), may increase to 30 U. Adults 18 to under 65.",
    },
    {
        "product": "alluzience",
        "indication": "glabellar-lines",
        "licensed_uk": True,
        "source": "S55",
        "notes": "Licensed [S55]; dose not in DOMAIN: verify current SmPC.",
    },
    {
        "product": "letybo",
        "indication": "glabellar-lines",
        "licensed_uk": True,
        "source": "S55, S5",
        "notes": "Licensed [S55]; dose not in DOMAIN: verify current SmPC.",
    },
    {
        "product": "nuceiva",
        "indication": "glabellar-lines",
        "licensed_uk": True,
        "min": D("20"),
        "max": D("20"),
        "source": "S55, S54",
        "notes": "5 sites × 4 U, from the US Jeuveau label (same toxin): verify the Nuceiva SmPC.",
    },
    {
        "product": "relfydess",
        "indication": "glabellar-lines",
        "licensed_uk": True,
        "source": "S55",
        "notes": "Licensed [S55]; dose not in DOMAIN: verify current SmPC.",
    },
    # Lateral canthal lines
    {
        "product": "botox",
        "indication": "lateral-canthal-lines",
        "licensed_uk": True,
        "min": D("24"),
        "max": D("24"),
        "source": "S9, S27",
        "notes": "3 sites × 4 U per side (12 U per side).",
    },
    {
        "product": "vistabel",
        "indication": "lateral-canthal-lines",
        "licensed_uk": True,
        "min": D("24"),
        "max": D("24"),
        "source": "S29, S27",
        "notes": "3 sites × 4 U per side. Current UK status of Vistabel: verify [S55].",
    },
    {
        "product": "azzalure",
        "indication": "lateral-canthal-lines",
        "licensed_uk": True,
        "min": D("60"),
        "max": D("60"),
        "source": "S30",
        "notes": "30 U per side (3 × 10 U) (not sourced here): verify.",
    },
    {
        "product": "bocouture",
        "indication": "lateral-canthal-lines",
        "licensed_uk": True,
        "min": D("24"),
        "max": D("24"),
        "source": "S32",
        "notes": "3 sites × 4 U per side (12 U per side).",
    },
    # Forehead lines
    {
        "product": "botox",
        "indication": "forehead-lines",
        "licensed_uk": True,
        "min": D("20"),
        "max": D("20"),
        "source": "S99, S27",
        "notes": "5 sites × 4 U, always with glabellar lines (40 U total): brow ptosis risk.",
    },
    {
        "product": "vistabel",
        "indication": "forehead-lines",
        "licensed_uk": True,
        "min": D("20"),
        "max": D("20"),
        "source": "S99, S27",
        "notes": "5 sites × 4 U, always with glabellar lines. Current UK status of Vistabel: "
        "verify [S55].",
    },
    {
        "product": "bocouture",
        "indication": "forehead-lines",
        "licensed_uk": True,
        "min": D("10"),
        "max": D("20"),
        "source": "S32",
        "notes": "10–20 U over 5 sites ≥2 cm above the orbital rim (2–4 U per site).",
    },
    # Upper face combined
    {
        "product": "botox",
        "indication": "upper-face-combined",
        "licensed_uk": True,
        "min": D("64"),
        "max": D("64"),
        "source": "S27",
        "notes": "Glabellar 20 + crow's feet 24 + forehead 20 = 64 U.",
    },
    {
        "product": "vistabel",
        "indication": "upper-face-combined",
        "licensed_uk": True,
        "min": D("64"),
        "max": D("64"),
        "source": "S27, S29",
        "notes": "Glabellar 20 + crow's feet 24 + forehead 20 = 64 U. Current UK status of "
        "Vistabel: verify [S55].",
    },
    {
        "product": "bocouture",
        "indication": "upper-face-combined",
        "licensed_uk": True,
        "source": "S32, S47",
        "notes": "Combined dose not stated in DOMAIN (areas: glabellar 20–30, crow's feet 24, "
        "forehead 10–20; Xeomin US max 64 U): verify.",
    },
    # --- US-only and off-label uses (licensed_uk=False) ---------------------------------
    {
        "product": "botox",
        "indication": "strabismus",
        "licensed_uk": False,
        "age": 12,
        "source": "S18, S9",
        "notes": "US licence only (≥12 y); UK off-label. 1.25–5 U per muscle by deviation; "
        "max 25 U per injection; EMG-guided; 0.05–0.15 mL; re-examine 7–14 days after each "
        "injection. Ophthalmology only.",
    },
    {
        "product": "botox",
        "indication": "ndo-paediatric",
        "licensed_uk": False,
        "age": 5,
        "source": "S17, S16",
        "notes": "US licence only (≥5 y); UK off-label. 200 U if ≥34 kg, 6 U/kg if <34 kg "
        "(max the lower of 6 U/kg and 200 U).",
    },
    {
        "product": "botox",
        "indication": "tmd-bruxism",
        "licensed_uk": False,
        "source": "S27, S87, S104",
        "notes": "Off-label. Masseter 20–30 U per side over 2 sites (40–60 U); temporalis about "
        "10–25 U per side (not sourced here): verify. Therapeutic intent: CQC regulated.",
    },
    {
        "product": "botox",
        "indication": "hyperhidrosis-palmar",
        "licensed_uk": False,
        "source": "S92",
        "notes": "Off-label. 50 or 100 U per palm over about 20 intradermal sites; grip/pinch "
        "weakness (pinch strength −23% at 50 U, −40% at 100 U at 2 weeks).",
    },
    {
        "product": "botox",
        "indication": "masseter-contouring",
        "licensed_uk": False,
        "source": "S27",
        "notes": "Off-label. 20–30 U per side over 2 sites. Cosmetic purpose: under-18 law "
        "applies.",
    },
    {
        "product": "botox",
        "indication": "platysma-bands",
        "licensed_uk": False,
        "min": D("26"),
        "max": D("36"),
        "source": "S27b",
        "notes": "US BOTOX Cosmetic licence (Oct 2024): 26, 31 or 36 U by severity. UK "
        "off-label (not sourced here).",
    },
    {
        "product": "xeomin",
        "indication": "spasticity-paed-ul",
        "licensed_uk": False,
        "age": 2,
        "source": "S48",
        "notes": "US licence excluding cerebral palsy (secondary summary): 8 U/kg (max 200 U) "
        "per limb; 16 U/kg (max 400 U) both limbs. UK off-label. Interval not sourced here.",
    },
    {
        "product": "dysport",
        "indication": "glabellar-lines",
        "licensed_uk": False,
        "min": D("50"),
        "max": D("50"),
        "source": "S39, S40",
        "notes": "US licence (5 × 10 U); the UK cosmetic brand of this toxin is Azzalure. "
        "Adults under 65.",
    },
    {
        "product": "xeomin",
        "indication": "glabellar-lines",
        "licensed_uk": False,
        "min": D("20"),
        "max": D("30"),
        "source": "S47, S32",
        "notes": "US licence (5 × 4 U, may increase to 30 U); the UK cosmetic brand of this "
        "toxin is Bocouture.",
    },
    {
        "product": "xeomin",
        "indication": "lateral-canthal-lines",
        "licensed_uk": False,
        "min": D("24"),
        "max": D("24"),
        "source": "S47, S32",
        "notes": "US licence (12 U per side); the UK cosmetic brand of this toxin is Bocouture.",
    },
    {
        "product": "xeomin",
        "indication": "forehead-lines",
        "licensed_uk": False,
        "min": D("10"),
        "max": D("20"),
        "source": "S47, S32",
        "notes": "US licence; dose range from the Bocouture label (10–20 U over 5 sites): "
        "verify the US Xeomin dose. Treat with glabellar lines.",
    },
    {
        "product": "xeomin",
        "indication": "upper-face-combined",
        "licensed_uk": False,
        "max": D("64"),
        "source": "S47",
        "notes": "US licence: all three upper-face areas, max 64 U per session.",
    },
]

# ---------------------------------------------------------------------------
# 5. Dose limits (DOMAIN §3.1; §10 rules 8-15, 17). Effective maximum = the lower of
# max_units and max_units_per_kg x weight where both are set. Scope "site" is per
# injection site (the engine divides a row's units by its needle points); "side" sums a
# side (eye, axilla); "window" sums the last window_days days including this session.
# ---------------------------------------------------------------------------
_LIMIT_DEFAULTS = {
    "product": None,
    "indication": None,
    "population": "any",
    "muscle_group": "",
    "laterality": "any",
    "window_days": None,
    "max_units": None,
    "max_units_per_kg": None,
    "max_volume_ml": None,
    "first_treatment_only": False,
    "notes": "",
}

DOSE_LIMITS = [
    # Rule 8, 9: BOTOX family cumulative (all Allergan-unit products, all indications)
    {
        "code": "dose-allergan-adult-84d",
        "label": "BOTOX family (BOTOX, BOTOX Cosmetic, Vistabel), adult: at most 400 U in any "
        "84 days, all indications together",
        "unit_family": "allergan",
        "population": "adult",
        "scope": "window",
        "window_days": 84,
        "max_units": D("400"),
        "level": "override",
        "source": "§10 rule 8; S107",
        "notes": "US PI §2.1, seen only via a secondary source: verify against the current "
        "PI/SmPC and whether the UK SmPC states the same window.",
    },
    {
        "code": "dose-allergan-child-84d",
        "label": "BOTOX family, child: at most the lower of 10 U/kg and 340 U in any 84 days, "
        "all indications together",
        "unit_family": "allergan",
        "population": "child",
        "scope": "window",
        "window_days": 84,
        "max_units": D("340"),
        "max_units_per_kg": D("10"),
        "level": "override",
        "source": "§10 rule 9",
        "notes": "US PI §2.1 (not retrieved here): verify. Needs a weight measured within "
        "child_weight_valid_days.",
    },
    # Rule 10: BOTOX paediatric spasticity
    {
        "code": "dose-botox-paed-ul-session",
        "label": "BOTOX paediatric upper limb spasticity: at most the lower of 6 U/kg and "
        "200 U per session",
        "unit_family": "allergan",
        "product": "botox",
        "indication": "spasticity-paed-ul",
        "population": "child",
        "scope": "session",
        "max_units": D("200"),
        "max_units_per_kg": D("6"),
        "level": "override",
        "source": "S15",
        "notes": "US label. UK paediatric figures: verify.",
    },
    {
        "code": "dose-botox-paed-ll-session",
        "label": "BOTOX paediatric lower limb spasticity: at most the lower of 8 U/kg and "
        "300 U per session",
        "unit_family": "allergan",
        "product": "botox",
        "indication": "spasticity-paed-ll",
        "population": "child",
        "scope": "session",
        "max_units": D("300"),
        "max_units_per_kg": D("8"),
        "level": "override",
        "source": "§10 rule 10; S15",
        "notes": "Not sourced here: verify (US PI and UK SmPC).",
    },
    # Rule 11: Dysport paediatric spasticity
    {
        "code": "dose-dysport-paed-ul-session",
        "label": "Dysport paediatric spasticity (upper limb session): at most the lower of "
        "30 U/kg and 1000 U per session, all limbs",
        "unit_family": "speywood",
        "product": "dysport",
        "indication": "spasticity-paed-ul",
        "population": "child",
        "scope": "session",
        "max_units": D("1000"),
        "max_units_per_kg": D("30"),
        "level": "override",
        "source": "S36, S38",
    },
    {
        "code": "dose-dysport-paed-ll-session",
        "label": "Dysport paediatric spasticity (lower limb session): at most the lower of "
        "30 U/kg and 1000 U per session, all limbs",
        "unit_family": "speywood",
        "product": "dysport",
        "indication": "spasticity-paed-ll",
        "population": "child",
        "scope": "session",
        "max_units": D("1000"),
        "max_units_per_kg": D("30"),
        "level": "override",
        "source": "S36, S38",
    },
    {
        "code": "dose-dysport-paed-ul-unilateral",
        "label": "Dysport paediatric upper limb, one limb: at most the lower of 16 U/kg and 640 U",
        "unit_family": "speywood",
        "product": "dysport",
        "indication": "spasticity-paed-ul",
        "population": "child",
        "scope": "session",
        "laterality": "unilateral",
        "max_units": D("640"),
        "max_units_per_kg": D("16"),
        "level": "override",
        "source": "S36",
    },
    {
        "code": "dose-dysport-paed-ul-bilateral",
        "label": "Dysport paediatric upper limb, both limbs: at most the lower of 21 U/kg and "
        "840 U",
        "unit_family": "speywood",
        "product": "dysport",
        "indication": "spasticity-paed-ul",
        "population": "child",
        "scope": "session",
        "laterality": "bilateral",
        "max_units": D("840"),
        "max_units_per_kg": D("21"),
        "level": "override",
        "source": "S36",
        "notes": "UK/IE figure.",
    },
    {
        "code": "dose-dysport-paed-ll-unilateral",
        "label": "Dysport paediatric lower limb, one limb: at most 15 U/kg",
        "unit_family": "speywood",
        "product": "dysport",
        "indication": "spasticity-paed-ll",
        "population": "child",
        "scope": "session",
        "laterality": "unilateral",
        "max_units_per_kg": D("15"),
        "level": "override",
        "source": "S36, S38",
        "notes": "US adds a 1000 U cap, covered by dose-dysport-paed-ll-session.",
    },
    {
        "code": "dose-dysport-paed-ll-bilateral",
        "label": "Dysport paediatric lower limb, both limbs: at most 30 U/kg",
        "unit_family": "speywood",
        "product": "dysport",
        "indication": "spasticity-paed-ll",
        "population": "child",
        "scope": "session",
        "laterality": "bilateral",
        "max_units_per_kg": D("30"),
        "level": "override",
        "source": "S36, S38",
        "notes": "US adds a 1000 U cap, covered by dose-dysport-paed-ll-session.",
    },
    {
        "code": "dose-dysport-child-site-volume",
        "label": "Dysport, child: no more than 0.5 mL at any single injection site",
        "unit_family": "speywood",
        "product": "dysport",
        "population": "child",
        "scope": "site",
        "max_volume_ml": D("0.5"),
        "level": "warn",
        "source": "S36, S38",
    },
    # Rule 12: Dysport adult upper limb
    {
        "code": "dose-dysport-ul-adult-session",
        "label": "Dysport adult upper limb spasticity: at most 1000 U per session",
        "unit_family": "speywood",
        "product": "dysport",
        "indication": "spasticity-ul-adult",
        "population": "adult",
        "scope": "session",
        "max_units": D("1000"),
        "level": "override",
        "source": "S43",
        "notes": "UK SmPC.",
    },
    {
        "code": "dose-dysport-ul-adult-site-volume",
        "label": "Dysport adult upper limb spasticity: no more than 1 mL at any single "
        "injection site",
        "unit_family": "speywood",
        "product": "dysport",
        "indication": "spasticity-ul-adult",
        "population": "adult",
        "scope": "site",
        "max_volume_ml": D("1"),
        "level": "warn",
        "source": "S34",
        "notes": "UK upper limb spasticity label.",
    },
    # Rule 13: Xeomin
    {
        "code": "dose-xeomin-session",
        "label": "Xeomin: at most 400 U per treatment session (any indication)",
        "unit_family": "merz",
        "product": "xeomin",
        "scope": "session",
        "max_units": D("400"),
        "level": "override",
        "source": "S46",
        "notes": "US label; UK SmPC may differ (e.g. 500 U adult upper limb): verify.",
    },
    {
        "code": "dose-xeomin-upper-face-session",
        "label": "Xeomin upper facial lines (all three areas): at most 64 U per session",
        "unit_family": "merz",
        "product": "xeomin",
        "indication": "upper-face-combined",
        "scope": "session",
        "max_units": D("64"),
        "level": "override",
        "source": "S47",
        "notes": "US label.",
    },
    # Rule 14: BOTOX per site, SCM, strabismus
    {
        "code": "dose-botox-site-spasticity-ul-adult",
        "label": "BOTOX adult upper limb spasticity: at most 50 U per injection site",
        "unit_family": "allergan",
        "product": "botox",
        "indication": "spasticity-ul-adult",
        "scope": "site",
        "max_units": D("50"),
        "level": "warn",
        "source": "S20, S22",
    },
    {
        "code": "dose-botox-site-spasticity-ll-adult",
        "label": "BOTOX adult lower limb spasticity: at most 50 U per injection site",
        "unit_family": "allergan",
        "product": "botox",
        "indication": "spasticity-ll-adult",
        "scope": "site",
        "max_units": D("50"),
        "level": "warn",
        "source": "S20, S22",
    },
    {
        "code": "dose-botox-site-spasticity-paed-ul",
        "label": "BOTOX paediatric upper limb spasticity: at most 50 U per injection site",
        "unit_family": "allergan",
        "product": "botox",
        "indication": "spasticity-paed-ul",
        "scope": "site",
        "max_units": D("50"),
        "level": "warn",
        "source": "S20, S22",
    },
    {
        "code": "dose-botox-site-spasticity-paed-ll",
        "label": "BOTOX paediatric lower limb spasticity: at most 50 U per injection site",
        "unit_family": "allergan",
        "product": "botox",
        "indication": "spasticity-paed-ll",
        "scope": "site",
        "max_units": D("50"),
        "level": "warn",
        "source": "S20, S22",
    },
    {
        "code": "dose-botox-site-cervical-dystonia",
        "label": "BOTOX cervical dystonia: at most 50 U per injection site",
        "unit_family": "allergan",
        "product": "botox",
        "indication": "cervical-dystonia",
        "scope": "site",
        "max_units": D("50"),
        "level": "warn",
        "source": "S20, S22",
    },
    {
        "code": "dose-botox-cd-scm",
        "label": "BOTOX cervical dystonia: sternocleidomastoid at most 100 U in total "
        "(dysphagia risk)",
        "unit_family": "allergan",
        "product": "botox",
        "indication": "cervical-dystonia",
        "scope": "muscle-group",
        "muscle_group": "Sternocleidomastoid",
        "max_units": D("100"),
        "level": "warn",
        "source": "S20, S23",
        "notes": "Both sides together, per session.",
    },
    {
        "code": "dose-botox-strabismus-injection",
        "label": "BOTOX strabismus: at most 25 U in a single injection",
        "unit_family": "allergan",
        "product": "botox",
        "indication": "strabismus",
        "scope": "site",
        "max_units": D("25"),
        "level": "block",
        "source": "S18",
    },
    # Rule 15: blepharospasm (and hemifacial spasm, treated as unilateral blepharospasm [S25])
    {
        "code": "dose-botox-blepharospasm-site",
        "label": "BOTOX blepharospasm: at most 5 U per site (little added benefit above)",
        "unit_family": "allergan",
        "product": "botox",
        "indication": "blepharospasm",
        "scope": "site",
        "max_units": D("5"),
        "level": "warn",
        "source": "S13, S25",
    },
    {
        "code": "dose-botox-blepharospasm-initial-eye",
        "label": "BOTOX blepharospasm, first treatment: at most 25 U per eye (UK)",
        "unit_family": "allergan",
        "product": "botox",
        "indication": "blepharospasm",
        "scope": "side",
        "max_units": D("25"),
        "first_treatment_only": True,
        "level": "override",
        "source": "S25",
    },
    {
        "code": "dose-botox-blepharospasm-84d",
        "label": "BOTOX blepharospasm: at most 100 U in any 12 weeks (UK)",
        "unit_family": "allergan",
        "product": "botox",
        "indication": "blepharospasm",
        "scope": "window",
        "window_days": 84,
        "max_units": D("100"),
        "level": "override",
        "source": "S25",
    },
    {
        "code": "dose-botox-blepharospasm-30d",
        "label": "BOTOX blepharospasm: at most 200 U in any 30 days (US)",
        "unit_family": "allergan",
        "product": "botox",
        "indication": "blepharospasm",
        "scope": "window",
        "window_days": 30,
        "max_units": D("200"),
        "level": "override",
        "source": "S13",
    },
    {
        "code": "dose-botox-hemifacial-site",
        "label": "BOTOX hemifacial spasm: at most 5 U per site (little added benefit above)",
        "unit_family": "allergan",
        "product": "botox",
        "indication": "hemifacial-spasm",
        "scope": "site",
        "max_units": D("5"),
        "level": "warn",
        "source": "S13, S25",
        "notes": "As blepharospasm: UK BOTOX treats hemifacial spasm as unilateral "
        "blepharospasm [S25].",
    },
    {
        "code": "dose-botox-hemifacial-initial-side",
        "label": "BOTOX hemifacial spasm, first treatment: at most 25 U per side (UK)",
        "unit_family": "allergan",
        "product": "botox",
        "indication": "hemifacial-spasm",
        "scope": "side",
        "max_units": D("25"),
        "first_treatment_only": True,
        "level": "override",
        "source": "S25",
        "notes": "As blepharospasm (per eye) [S25].",
    },
    {
        "code": "dose-botox-hemifacial-84d",
        "label": "BOTOX hemifacial spasm: at most 100 U in any 12 weeks (UK)",
        "unit_family": "allergan",
        "product": "botox",
        "indication": "hemifacial-spasm",
        "scope": "window",
        "window_days": 84,
        "max_units": D("100"),
        "level": "override",
        "source": "S25",
        "notes": "As blepharospasm [S25].",
    },
    {
        "code": "dose-botox-hemifacial-30d",
        "label": "BOTOX hemifacial spasm: at most 200 U in any 30 days (US blepharospasm figure)",
        "unit_family": "allergan",
        "product": "botox",
        "indication": "hemifacial-spasm",
        "scope": "window",
        "window_days": 30,
        "max_units": D("200"),
        "level": "override",
        "source": "S13, S25",
        "notes": "US blepharospasm cap applied by analogy (hemifacial spasm is off-label in "
        "the US).",
    },
    {
        "code": "dose-xeomin-blepharospasm-initial-eye",
        "label": "Xeomin blepharospasm, first treatment: at most 35 U per eye",
        "unit_family": "merz",
        "product": "xeomin",
        "indication": "blepharospasm",
        "scope": "side",
        "max_units": D("35"),
        "first_treatment_only": True,
        "level": "override",
        "source": "S49",
        "notes": "US label, for a patient whose previous dose is unknown (a patient switching "
        "from BOTOX may start on the same number of units): record the reason.",
    },
    {
        "code": "dose-xeomin-blepharospasm-initial-session",
        "label": "Xeomin blepharospasm, first treatment: at most 70 U in total",
        "unit_family": "merz",
        "product": "xeomin",
        "indication": "blepharospasm",
        "scope": "session",
        "max_units": D("70"),
        "first_treatment_only": True,
        "level": "override",
        "source": "S49",
        "notes": "US label, for a patient whose previous dose is unknown.",
    },
    # Rule 17: paediatric NDO
    {
        "code": "dose-botox-ndo-paed-session",
        "label": "BOTOX paediatric neurogenic detrusor overactivity: at most the lower of "
        "6 U/kg and 200 U",
        "unit_family": "allergan",
        "product": "botox",
        "indication": "ndo-paediatric",
        "population": "child",
        "scope": "session",
        "max_units": D("200"),
        "max_units_per_kg": D("6"),
        "level": "override",
        "source": "S17",
        "notes": "US label (≥5 y); UK off-label.",
    },
    # BOTOX cervical dystonia, UK SmPC caps
    {
        "code": "dose-botox-cd-first-course",
        "label": "BOTOX cervical dystonia, first course: at most 200 U (UK)",
        "unit_family": "allergan",
        "product": "botox",
        "indication": "cervical-dystonia",
        "scope": "session",
        "max_units": D("200"),
        "first_treatment_only": True,
        "level": "override",
        "source": "S24",
        "notes": "UK SmPC figure not retrieved here: verify.",
    },
    {
        "code": "dose-botox-cd-session",
        "label": "BOTOX cervical dystonia: at most 300 U per sitting (UK)",
        "unit_family": "allergan",
        "product": "botox",
        "indication": "cervical-dystonia",
        "scope": "session",
        "max_units": D("300"),
        "level": "override",
        "source": "S24",
        "notes": "UK SmPC figure not retrieved here: verify.",
    },
]

# ---------------------------------------------------------------------------
# 6. Site templates (DOMAIN §2.2, §2.3, §1.4, §11.3). Units are the product's units.
# Rows: (site slug, side, units, volume mL, points, optional, group fixed U, group max U).
# Only PREEMPT and OAB carry protocol bounds: treatments.selectors.protocol_facts applies
# the first template with protocol bounds to every product of an indication, so bounds on
# a BOTOX-only cosmetic, NDO or axillary template would be compared with Speywood or Merz
# units. Those doses are DoseGuideline.expected_* (product-specific) instead.
# ---------------------------------------------------------------------------
_P = D("5")  # PREEMPT: 5 U per site
_PV = D("0.1")  # in 0.1 mL

SITE_TEMPLATES = [
    {
        "slug": "preempt",
        "name": "PREEMPT (chronic migraine)",
        "indication": "chronic-migraine",
        "product": "botox",
        "description": "31 fixed sites × 5 U (0.1 mL) = 155 U over 7 muscle groups; up to 8 "
        "optional follow-the-pain sites (temporalis, occipitalis, trapezius) to 195 U over "
        "39 sites. 100 U vial + 2 mL = 5 U per 0.1 mL. 30 G 0.5-inch needle (1-inch may be "
        "needed in the neck). Every 12 weeks.",
        "protocol_min_units": D("155"),
        "protocol_max_units": D("195"),
        "protocol_min_sites": 31,
        "protocol_max_sites": 39,
        "source": "S7, S93",
        "rows": [
            ("corrugator", "left", _P, _PV, 1, False, D("10"), None),
            ("corrugator", "right", _P, _PV, 1, False, D("10"), None),
            ("procerus", "midline", _P, _PV, 1, False, D("5"), None),
            ("frontalis", "left", _P, _PV, 1, False, D("20"), None),
            ("frontalis", "left", _P, _PV, 1, False, D("20"), None),
            ("frontalis", "right", _P, _PV, 1, False, D("20"), None),
            ("frontalis", "right", _P, _PV, 1, False, D("20"), None),
            ("temporalis", "left", _P, _PV, 1, False, None, D("50")),
            ("temporalis", "left", _P, _PV, 1, False, None, D("50")),
            ("temporalis", "left", _P, _PV, 1, False, None, D("50")),
            ("temporalis", "left", _P, _PV, 1, False, None, D("50")),
            ("temporalis", "right", _P, _PV, 1, False, None, D("50")),
            ("temporalis", "right", _P, _PV, 1, False, None, D("50")),
            ("temporalis", "right", _P, _PV, 1, False, None, D("50")),
            ("temporalis", "right", _P, _PV, 1, False, None, D("50")),
            ("temporalis", "left", _P, _PV, 1, True, None, D("50")),
            ("temporalis", "right", _P, _PV, 1, True, None, D("50")),
            ("occipitalis", "left", _P, _PV, 1, False, None, D("40")),
            ("occipitalis", "left", _P, _PV, 1, False, None, D("40")),
            ("occipitalis", "left", _P, _PV, 1, False, None, D("40")),
            ("occipitalis", "right", _P, _PV, 1, False, None, D("40")),
            ("occipitalis", "right", _P, _PV, 1, False, None, D("40")),
            ("occipitalis", "right", _P, _PV, 1, False, None, D("40")),
            ("occipitalis", "left", _P, _PV, 1, True, None, D("40")),
            ("occipitalis", "right", _P, _PV, 1, True, None, D("40")),
            ("cervical-paraspinal", "left", _P, _PV, 1, False, D("20"), None),
            ("cervical-paraspinal", "left", _P, _PV, 1, False, D("20"), None),
            ("cervical-paraspinal", "right", _P, _PV, 1, False, D("20"), None),
            ("cervical-paraspinal", "right", _P, _PV, 1, False, D("20"), None),
            ("trapezius", "left", _P, _PV, 1, False, None, D("50")),
            ("trapezius", "left", _P, _PV, 1, False, None, D("50")),
            ("trapezius", "left", _P, _PV, 1, False, None, D("50")),
            ("trapezius", "right", _P, _PV, 1, False, None, D("50")),
            ("trapezius", "right", _P, _PV, 1, False, None, D("50")),
            ("trapezius", "right", _P, _PV, 1, False, None, D("50")),
            ("trapezius", "left", _P, _PV, 1, True, None, D("50")),
            ("trapezius", "left", _P, _PV, 1, True, None, D("50")),
            ("trapezius", "right", _P, _PV, 1, True, None, D("50")),
            ("trapezius", "right", _P, _PV, 1, True, None, D("50")),
        ],
    },
    {
        "slug": "oab-20",
        "name": "Overactive bladder: 20 intradetrusor injections",
        "indication": "oab",
        "product": "botox",
        "description": "BOTOX 100 U in 10 mL: 20 × 0.5 mL (5 U) intradetrusor, avoiding the "
        "trigone; cystoscopic.",
        "protocol_min_units": D("100"),
        "protocol_max_units": D("100"),
        "protocol_min_sites": None,
        "protocol_max_sites": None,
        "source": "S19b, S11",
        "rows": [
            ("bladder-detrusor", "midline", D("100"), D("10"), 20, False, None, None),
        ],
    },
    {
        "slug": "ndo-30",
        "name": "Neurogenic detrusor overactivity: 30 intradetrusor injections",
        "indication": "ndo-adult",
        "product": "botox",
        "description": "BOTOX 200 U in 30 mL (two 100 U vials each with 6 mL, split into three "
        "10 mL syringes): 30 × 1 mL (~6.7 U) intradetrusor, then a 1 mL saline flush.",
        "protocol_min_units": None,
        "protocol_max_units": None,
        "protocol_min_sites": None,
        "protocol_max_sites": None,
        "source": "S11, S16",
        "rows": [
            ("bladder-detrusor", "midline", D("200"), D("30"), 30, False, None, None),
        ],
    },
    {
        "slug": "axillary-grid",
        "name": "Axillary hyperhidrosis grid",
        "indication": "hyperhidrosis-axillary",
        "product": "botox",
        "description": "BOTOX 100 U in 4 mL (2.5 U per 0.1 mL): 50 U per axilla as 10 "
        "intradermal injections of 0.2 mL, 1–2 cm apart over the area mapped with the Minor "
        "starch-iodine test (10–15 sites per axilla).",
        "protocol_min_units": None,
        "protocol_max_units": None,
        "protocol_min_sites": None,
        "protocol_max_sites": None,
        "source": "S48b, S48c, S11",
        "rows": [
            ("axilla-intradermal", "left", D("50"), D("2"), 10, False, None, None),
            ("axilla-intradermal", "right", D("50"), D("2"), 10, False, None, None),
        ],
    },
    {
        "slug": "glabellar-botox",
        "name": "Glabellar lines, BOTOX / Vistabel (20 U)",
        "indication": "glabellar-lines",
        "product": "botox",
        "description": "5 points × 4 Allergan U (0.1 mL at 4 U per 0.1 mL): 1 procerus, 2 per "
        "corrugator. Also the standard points for Vistabel (same formulation). Avoid the "
        "levator palpebrae (ptosis).",
        "protocol_min_units": None,
        "protocol_max_units": None,
        "protocol_min_sites": None,
        "protocol_max_sites": None,
        "source": "S27, S28, S29",
        "rows": [
            ("procerus", "midline", D("4"), D("0.1"), 1, False, None, None),
            ("corrugator", "left", D("8"), D("0.2"), 2, False, None, None),
            ("corrugator", "right", D("8"), D("0.2"), 2, False, None, None),
        ],
    },
    {
        "slug": "glabellar-azzalure",
        "name": "Glabellar lines, Azzalure (50 U)",
        "indication": "glabellar-lines",
        "product": "azzalure",
        "description": "5 points × 10 Speywood U (0.05 mL; 125 U vial + 0.63 mL): 1 procerus, "
        "2 per corrugator. Avoid the levator palpebrae (ptosis).",
        "protocol_min_units": None,
        "protocol_max_units": None,
        "protocol_min_sites": None,
        "protocol_max_sites": None,
        "source": "S30, S31",
        "rows": [
            ("procerus", "midline", D("10"), D("0.05"), 1, False, None, None),
            ("corrugator", "left", D("20"), D("0.1"), 2, False, None, None),
            ("corrugator", "right", D("20"), D("0.1"), 2, False, None, None),
        ],
    },
    {
        "slug": "crows-feet-botox",
        "name": "Crow's feet, BOTOX (24 U)",
        "indication": "lateral-canthal-lines",
        "product": "botox",
        "description": "3 points × 4 Allergan U (0.1 mL) per side into the lateral orbicularis "
        "oculi: 12 U per side, 24 U in total.",
        "protocol_min_units": None,
        "protocol_max_units": None,
        "protocol_min_sites": None,
        "protocol_max_sites": None,
        "source": "S27",
        "rows": [
            ("lateral-orbicularis-oculi", "left", D("12"), D("0.3"), 3, False, None, None),
            ("lateral-orbicularis-oculi", "right", D("12"), D("0.3"), 3, False, None, None),
        ],
    },
    {
        "slug": "forehead-botox",
        "name": "Forehead lines, BOTOX (20 U)",
        "indication": "forehead-lines",
        "product": "botox",
        "description": "5 points × 4 Allergan U (0.1 mL) across the frontalis; always with "
        "glabellar lines (40 U together): brow ptosis risk.",
        "protocol_min_units": None,
        "protocol_max_units": None,
        "protocol_min_sites": None,
        "protocol_max_sites": None,
        "source": "S27, S99",
        "rows": [
            ("frontalis", "bilateral", D("20"), D("0.5"), 5, False, None, None),
        ],
    },
]


# ---------------------------------------------------------------------------
# Forward and reverse
# ---------------------------------------------------------------------------


def _get(model, **lookup):
    try:
        return model.objects.get(**lookup)
    except model.DoesNotExist:
        raise ValueError(f"{model.__name__} not seeded: {lookup}") from None


def _append(text, suffix):
    return text if text.endswith(suffix) else text + suffix


def _strip(text, suffix):
    return text[: -len(suffix)] if suffix and text.endswith(suffix) else text


def seed(apps, schema_editor):
    Product = apps.get_model("treatments", "Product")
    Indication = apps.get_model("treatments", "Indication")
    AnatomicalSite = apps.get_model("treatments", "AnatomicalSite")
    SafetyParameter = apps.get_model("treatments", "SafetyParameter")
    DoseGuideline = apps.get_model("treatments", "DoseGuideline")
    DoseLimit = apps.get_model("treatments", "DoseLimit")
    SiteTemplate = apps.get_model("treatments", "SiteTemplate")
    SiteTemplateRow = apps.get_model("treatments", "SiteTemplateRow")

    # 1. Product flags: every flag is set explicitly (unlisted ones to their default).
    for row in PRODUCT_FLAGS:
        product = _get(Product, slug=row["slug"])
        for field, value in {**PRODUCT_FLAG_DEFAULTS, **row["flags"]}.items():
            setattr(product, field, value)
        product.source = _append(product.source, row["source_suffix"])
        product.notes = _append(product.notes, row["notes_suffix"])
        product.save()

    # 2. Indication safety profiles.
    for slug, profile in SAFETY_PROFILES.items():
        indication = _get(Indication, slug=slug)
        indication.safety_profile = profile
        indication.save(update_fields=["safety_profile"])

    # Sites: the muscle groups a DoseLimit names.
    for slug, group, _previous in SITE_MUSCLE_GROUPS:
        site = _get(AnatomicalSite, slug=slug)
        site.muscle_group = group
        site.save(update_fields=["muscle_group"])

    # 3. Safety parameters.
    for row in SAFETY_PARAMETERS:
        defaults = {k: v for k, v in row.items() if k != "key"}
        defaults["verified_on"] = VERIFIED_ON
        SafetyParameter.objects.update_or_create(key=row["key"], defaults=defaults)

    # 4. Dose guidelines.
    for row in DOSE_GUIDELINES:
        DoseGuideline.objects.update_or_create(
            product=_get(Product, slug=row["product"]),
            indication=_get(Indication, slug=row["indication"]),
            defaults={
                "licensed_uk": row["licensed_uk"],
                "expected_min_units": row.get("min"),
                "expected_max_units": row.get("max"),
                "min_interval_days": row.get("interval"),
                "min_age_years": row.get("age"),
                "min_weight_kg": row.get("weight"),
                "notes": row["notes"],
                "source": row["source"],
                "verified_on": VERIFIED_ON,
            },
        )

    # 5. Dose limits (natural key: code).
    for row in DOSE_LIMITS:
        values = {**_LIMIT_DEFAULTS, **row}
        code = values.pop("code")
        if values["product"] is not None:
            values["product"] = _get(Product, slug=values["product"])
            if values["product"].unit_family != values["unit_family"]:
                raise ValueError(f"{code}: product and unit family disagree")
        if values["indication"] is not None:
            values["indication"] = _get(Indication, slug=values["indication"])
        values["verified_on"] = VERIFIED_ON
        DoseLimit.objects.update_or_create(code=code, defaults=values)

    # 6. Site templates and their rows (natural keys: slug; template + order).
    sites = {site.slug: site for site in AnatomicalSite.objects.all()}
    for row in SITE_TEMPLATES:
        defaults = {k: v for k, v in row.items() if k not in ("slug", "rows")}
        defaults["indication"] = _get(Indication, slug=row["indication"])
        defaults["product"] = _get(Product, slug=row["product"]) if row["product"] else None
        defaults["verified_on"] = VERIFIED_ON
        template, _ = SiteTemplate.objects.update_or_create(slug=row["slug"], defaults=defaults)
        for order, spec in enumerate(row["rows"], start=1):
            slug, side, units, volume, points, optional, group_fixed, group_max = spec
            if slug not in sites:
                raise ValueError(f"AnatomicalSite not seeded: {slug}")
            SiteTemplateRow.objects.update_or_create(
                template=template,
                order=order,
                defaults={
                    "site": sites[slug],
                    "side": side,
                    "units": units,
                    "volume_ml": volume,
                    "points": points,
                    "optional": optional,
                    "group_fixed_units": group_fixed,
                    "group_max_units": group_max,
                },
            )
        SiteTemplateRow.objects.filter(template=template, order__gt=len(row["rows"])).delete()


def unseed(apps, schema_editor):
    Product = apps.get_model("treatments", "Product")
    Indication = apps.get_model("treatments", "Indication")
    AnatomicalSite = apps.get_model("treatments", "AnatomicalSite")
    SafetyParameter = apps.get_model("treatments", "SafetyParameter")
    DoseGuideline = apps.get_model("treatments", "DoseGuideline")
    DoseLimit = apps.get_model("treatments", "DoseLimit")
    SiteTemplate = apps.get_model("treatments", "SiteTemplate")

    # Templates first (their rows cascade), then limits and guidelines.
    SiteTemplate.objects.filter(slug__in=[row["slug"] for row in SITE_TEMPLATES]).delete()
    DoseLimit.objects.filter(code__in=[row["code"] for row in DOSE_LIMITS]).delete()
    for row in DOSE_GUIDELINES:
        DoseGuideline.objects.filter(
            product__slug=row["product"], indication__slug=row["indication"]
        ).delete()
    SafetyParameter.objects.filter(key__in=[row["key"] for row in SAFETY_PARAMETERS]).delete()

    for slug, group, previous in SITE_MUSCLE_GROUPS:
        AnatomicalSite.objects.filter(slug=slug, muscle_group=group).update(muscle_group=previous)

    Indication.objects.filter(slug__in=list(SAFETY_PROFILES)).update(
        safety_profile=DEFAULT_SAFETY_PROFILE
    )

    for row in PRODUCT_FLAGS:
        product = Product.objects.filter(slug=row["slug"]).first()
        if product is None:
            continue
        for field, value in PRODUCT_FLAG_DEFAULTS.items():
            setattr(product, field, value)
        product.source = _strip(product.source, row["source_suffix"])
        product.notes = _strip(product.notes, row["notes_suffix"])
        product.save()


class Migration(migrations.Migration):
    dependencies = [
        ("treatments", "0003_sessions_vials_safety_reference"),
    ]

    operations = [
        migrations.RunPython(seed, unseed),
    ]
