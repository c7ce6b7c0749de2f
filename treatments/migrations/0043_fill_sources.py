# The titles keep the typography of DOMAIN.md (en dashes).
# ruff: noqa: RUF001
"""Fill the sources the reference data cites (DOMAIN §9, "Sources"): each row's code,
title and addresses, in the list's order. The other reference rows' `source` keys and
every safety finding's name them ("S89")."""

from django.db import migrations

# (code, title, addresses), as DOMAIN §9 lists them.
SOURCES = [
    (
        "S1",
        "openFDA drug label: BOTOX (onabotulinumtoxinA), incl. boxed warning",
        [
            "https://api.fda.gov/drug/label.json?search=openfda.generic_name%3A%22Onabotulinumtoxina%22"
        ],
    ),
    (
        "S2",
        "openFDA drug label: BOTOX Cosmetic",
        ["https://api.fda.gov/drug/label.json?search=openfda.brand_name%3A%22BOTOX+COSMETIC%22"],
    ),
    (
        "S3",
        "openFDA drug label: Myobloc (rimabotulinumtoxinB)",
        [
            "https://api.fda.gov/drug/label.json?search=openfda.generic_name%3A%22Rimabotulinumtoxinb%22"
        ],
    ),
    (
        "S3b",
        "openFDA NDC: Myobloc 2500 U/0.5 mL (Solstice Neurosciences)",
        ["https://api.fda.gov/drug/ndc.json?search=packaging.package_ndc%3A%2210454-710-10%22"],
    ),
    (
        "S4",
        "openFDA drug label: DAXXIFY, boxed warning",
        [
            "https://api.fda.gov/drug/label.json?search=openfda.generic_name%3A%22Botulinum+Toxin+Type+A%22"
        ],
    ),
    (
        "S5",
        "openFDA drug label: LETYBO (letibotulinumtoxinA-wlbg)",
        [
            "https://api.fda.gov/drug/label.json?search=openfda.generic_name%3A%22Letibotulinumtoxina-Wlbg%22"
        ],
    ),
    (
        "S6",
        "openFDA drug label: JEUVEAU (prabotulinumtoxinA-xvfs)",
        [
            "https://api.fda.gov/drug/label.json?search=openfda.generic_name%3A%22Prabotulinum+Toxin+Type+A%22"
        ],
    ),
    (
        "S7",
        "RxReasoner: chronic migraine indication, BOTOX dosing table (from MHRA SmPC)",
        ["https://rxreasoner.com/indications/I-922296"],
    ),
    (
        "S8",
        "RxReasoner: BOTOX monograph, usage (MHRA SmPC 2022; ages, units not interchangeable)",
        ["https://rxreasoner.com/monographs/botox/usage"],
    ),
    (
        "S9",
        "Omniya Clinic (Knightsbridge): reproduction of BOTOX 50 U UK SmPC",
        ["https://www.omniya.co.uk/botox-treatment-technical-information/"],
    ),
    (
        "S9b",
        "BOTOX 50/100/200 patient package insert (Israel)",
        [
            "https://docplayer.net/amp/17970081-Patient-package-insert-in-accordance-with-the-pharmacists-regulations-preparations-1986.html"
        ],
    ),
    (
        "S10",
        "emc: BOTOX 100 U SmPC; BOTOX 200 U SmPC",
        [
            "https://www.medicines.org.uk/emc/product/859/smpc",
            "https://www.medicines.org.uk/emc/product/436/smpc/print",
        ],
    ),
    (
        "S11",
        "Reproduction of BOTOX UK SmPC: dilution tables, NDO preparation",
        ["http://www.120ty.net/bencandy.php?fid=131&id=16566"],
    ),
    (
        "S12",
        "Reproduction of BOTOX SmPC reconstitution text (24 h at 2–8 °C)",
        ["http://www.sjztian.com/index.php?m=content&c=index&a=show&catid=9&id=110"],
    ),
    (
        "S13",
        "Allergan HCP: BOTOX blepharospasm dosing",
        ["https://www.botoxone.com/blepharospasm/dosing"],
    ),
    (
        "S14",
        "Allergan HCP: BOTOX cervical dystonia safety",
        ["https://www.botoxone.com/cervical-dystonia/safety"],
    ),
    (
        "S15",
        "Allergan HCP: BOTOX paediatric spasticity dosing",
        ["https://www.botoxone.com/pediatric-spasticity/dosing"],
    ),
    ("S16", "Allergan HCP: BOTOX adult NDO dosing", ["https://www.botoxone.com/adult-ndo/dosing"]),
    (
        "S17",
        "Allergan HCP: BOTOX paediatric NDO dosing",
        ["https://botoxone.com/pediatric-ndo/dosing"],
    ),
    (
        "S17b",
        "Allergan HCP: BOTOX paediatric NDO safety",
        ["https://www.botoxone.com/pediatric-ndo/safety"],
    ),
    (
        "S18",
        "Allergan HCP: BOTOX strabismus dosing",
        ["https://www.botoxone.com/strabismus/dosing"],
    ),
    (
        "S19",
        "Allergan patient site: BOTOX for OAB treatment considerations",
        ["https://www.botoxforoab.com/what-to-expect/treatment-considerations/"],
    ),
    (
        "S19b",
        "Dr Oracle (secondary): BOTOX 100 U OAB dose per FDA label",
        [
            "https://www.droracle.ai/articles/495322/is-treatment-with-botox-onabotulinumtoxina-150-units-medically-necessary"
        ],
    ),
    (
        "S20",
        "Skyscape RxDrugs: BOTOX adult dosing (NDO, migraine, ULS, CD)",
        [
            "https://download.skyscape.com/download/ota/lonestar/3C52715-7DF0-47C4-BF2A-379E6E7AC9B5/skyscaperx.edxx/content/HTML/y/tl261.htm"
        ],
    ),
    (
        "S20b",
        "eMedTV: BOTOX dosage (ULS 75–360 U, older US label)",
        ["http://women.emedtv.com/botox/botox-dosage-p2.html"],
    ),
    (
        "S20c",
        "emedz: BOTOX uses (axillary hyperhidrosis; rule out hyperthyroidism)",
        ["https://emedz.net/public/botox"],
    ),
    (
        "S20d",
        "Skyscape RxDrugs: BOTOX warnings (dysphagia, feeding tube)",
        [
            "https://download.skyscape.com/download/ota/lonestar/3C52715-7DF0-47C4-BF2A-379E6E7AC9B5/skyscaperx.edxx/content/HTML/z/tl261.htm"
        ],
    ),
    (
        "S21",
        "Medscape: contraindications to botulinum toxin for NDO",
        [
            "https://www.medscape.com/answers/2036931-182028/when-are-botulinum-toxin-injections-contraindicated-for-the-treatment-of-neurogenic-detrusor-overactivity"
        ],
    ),
    (
        "S22",
        "Clinic pages reproducing BOTOX US PI text (intradetrusor contraindications; 200 U dilutions; ≤50 U/site)",
        [
            "http://botoxsarasotafl.com/botox-event-murdock-florida.html",
            "http://botoxsarasotafl.com/allergan-botox-cosmetic-sarasota-florida-34238.html",
        ],
    ),
    (
        "S23",
        "National Spasmodic Torticollis Association: BOTOX dose ranges (SCM ≤100 U)",
        [
            "http://www.spasmodictorticollis.org/treatments/botulinum-toxins/botox-has-established-dose-ranges/"
        ],
    ),
    (
        "S24",
        "RxReasoner: cervical dystonia (UK)",
        ["https://www.rxreasoner.com/indications/I-276543"],
    ),
    (
        "S25",
        "RxReasoner: blepharospasm / hemifacial spasm (UK)",
        ["https://www.rxreasoner.com/indications/I-338966"],
    ),
    (
        "S26",
        "AbbVie Pro UK: BOTOX post-stroke spasticity administration",
        [
            "https://abbviepro.com/gb/en/neuroscience/neurology-botox-abbviepro/products/post-stroke-spasticity/botox-for-pss/administration.html"
        ],
    ),
    (
        "S27",
        "Doctor Medica blog: Botox dosage by area (400 U/3 months, 64 U, platysma, masseter)",
        ["https://www.doctormedica.co/blog/botox-dosage-per-are"],
    ),
    (
        "S27b",
        "Practical Dermatology: BOTOX Cosmetic approved for platysma bands (26/31/36 U)",
        ["https://practicaldermatology.com/news/botox-approved-platysma-bands/2468436"],
    ),
    (
        "S28",
        "BOTOX Cosmetic dilution/reconstitution guide (Allergan)",
        ["http://spotidoc.com/doc/160901/"],
    ),
    (
        "S29",
        "drugs.com UK: VISTABEL SmPC",
        [
            "https://www.drugs.com/uk/vistabel-4-allergan-units-0-1ml-powder-for-solution-for-injection-leaflet.html"
        ],
    ),
    (
        "S30",
        "RxReasoner: Azzalure usage (MHRA SmPC 2021)",
        ["https://rxreasoner.com/monographs/azzalure/usage"],
    ),
    (
        "S30b",
        "Azzalure patient leaflets (contraindications incl. ALS; ≥12-week interval; antibodies)",
        [
            "https://oladoctor.com/uk/medicines/spain/azzalure-125-unidades-speywood-polvo-para-solucion-inyectable",
            "http://www.drugs.com/uk/azzalure-10-speywood-units-0-05ml-powder-for-solution-for-injection-leaflet.html",
        ],
    ),
    (
        "S31",
        "Azzalure instructions (0.63 mL reconstitution)",
        ["https://www.scribd.com/document/461477818/AzzalureTM-instructions"],
    ),
    (
        "S32",
        "Aesthetics Journal: Bocouture prescribing information (UK)",
        [
            "https://issuu.com/aestheticsjournal/docs/aesthetics-january-2018/33",
            "https://issuu.com/aestheticsjournal/docs/aesthetics_journal_september_2016_-/20",
        ],
    ),
    (
        "S32b",
        "Shop page reproducing older Bocouture SmPC (4 U/0.1 mL; use immediately)",
        [
            "https://www.superhumanstore.com/shg/shop/anti-aging-medicine/bocouture-xeomin-50-iu-vial-botulinum-toxin-type-a-by-merz-strongest-neurotoxin-among-all-brands/"
        ],
    ),
    (
        "S33",
        "Merz Aesthetics 2025: Bocouture important safety information",
        ["https://amwc.merz.com/epaper/MERZ_Aesthetic_2025"],
    ),
    (
        "S34",
        "Medthority: Dysport 500 U SmPC",
        [
            "https://medthority.com/drugs/m-musculo-skeletal-system/m03/m03a/m03ax/m03ax01/dysport-500u"
        ],
    ),
    ("S35", "Ipsen UK: Dysport prescribing information", ["https://www.ipsenpi.co.uk/uk_dys/"]),
    (
        "S36",
        "Ipsen Ireland: Dysport paediatric spasticity dosing",
        ["https://www.ipsen-hub.ie/spasticity-paediatric/hcp/resources/dosing-and-administration"],
    ),
    (
        "S37",
        "Ipsen Ireland: Dysport cervical dystonia dosing",
        ["https://www.ipsen-hub.ie/cervical-dystonia/hcp/resources/dosing-and-administration"],
    ),
    (
        "S38",
        "Dysport US HCP: paediatric spasticity dosing",
        [
            "https://www.dysport.com/en-us/hcp/pediatric-spasticity/pediatric-spasticity-dosing-and-dilution"
        ],
    ),
    (
        "S39",
        "Dysport US HCP: administering (glabellar)",
        ["http://www.dysportusa.com/healthcare-professionals/administering-dysport"],
    ),
    (
        "S40",
        "Renal & Urology News drug page: Dysport (aesthetic; contraindications; interactions)",
        ["https://www.renalandurologynews.com/drug/dysport/"],
    ),
    (
        "S41",
        "Dysport EU SmPC sections 6.1–6.6 (Czech)",
        ["https://www.medicinous.com/cs/info/Dysport-farmaceuticke-udaje-uchovavani/far159314"],
    ),
    (
        "S42",
        "Reproduction of Dysport SmPC: axillary hyperhidrosis",
        ["http://www.120ty.net/bencandy.php?fid=131&id=16498"],
    ),
    ("S42b", "MedLibrary: Dysport US label", ["https://medlibrary.org/lib/rx/meds/dysport/"]),
    (
        "S42c",
        "Older Dysport product summary (Hong Kong)",
        ["http://www.120ty.net/bencandy.php?fid=138&id=16482"],
    ),
    (
        "S43",
        "Dysport 500 U SmPC (dilution table, ULS ≤1000 U)",
        [
            "https://studylib.net/doc/7829514/dysport-500-units-powder-for-solution-for-injection-eng-smpc"
        ],
    ),
    (
        "S44",
        "Merz US: XEOMIN reconstitution and storage",
        ["https://www.xeomin.com/healthcare-professionals/reconstitution-and-storage/"],
    ),
    (
        "S44b",
        "Desitin: how to prepare XEOMIN solution",
        ["https://www.desitin.no/faq-sider/faqs-xeomin/how-to-prepare-the-xeominr-solution/"],
    ),
    (
        "S45",
        "emc: XEOMIN 50 U and 200 U SmPC (UK indications)",
        [
            "https://medicines.org.uk/emc/product/4609/smpc/print",
            "https://medicines.org.uk/emc/product/2162/smpc/print",
        ],
    ),
    ("S46", "drugs.com: Xeomin dosage (US PI text)", ["https://www.drugs.com/dosage/xeomin.html"]),
    (
        "S47",
        "PrescriberPoint: Xeomin prescribing information",
        ["https://prescriberpoint.com/therapies/xeomin-3f35d6e"],
    ),
    (
        "S48",
        "Dr Oracle (secondary): Xeomin indications and doses",
        [
            "https://www.droracle.ai/articles/235903/what-are-the-indications-and-dosages-for-xeomin-botulinum"
        ],
    ),
    (
        "S48b",
        "Allergan: administering BOTOX for axillary hyperhidrosis",
        ["http://www.botoxseveresweating.com/InfoPhysicians/AdministeringBotox.aspx"],
    ),
    (
        "S48c",
        "Dr Oracle (secondary): axillary/palmar hyperhidrosis protocol",
        [
            "https://www.droracle.ai/articles/891556/what-is-the-recommended-onabotulinumtoxina-botox-dose-and-injection"
        ],
    ),
    (
        "S49",
        "Merz US: XEOMIN blepharospasm dosing",
        ["http://xeomin.com/physicians/blepharospasm/bleph-dosing/"],
    ),
    (
        "S50",
        "Merz US: XEOMIN cervical dystonia dosing",
        ["https://www.xeomin.com/healthcare-professionals/indications/cervical-dystonia/dosing"],
    ),
    (
        "S51",
        "MYOBLOC HCP: sialorrhoea dosing",
        [
            "https://www.myoblochcp.com/Sialorrhea/dosing-and-administration",
            "https://myoblochcp.com/Sialorrhea/dosing-considerations",
        ],
    ),
    (
        "S51b",
        "MYOBLOC HCP: sialorrhoea trial endpoints",
        ["https://myoblochcp.com/Sialorrhea/myobloc-for-sialorrhea"],
    ),
    (
        "S52",
        "PrescriberPoint: Myobloc prescribing information",
        ["https://prescriberpoint.com/therapies/myobloc-675cb35"],
    ),
    (
        "S53",
        "Revance: DAXXIFY indication and important safety information",
        ["https://www.revance.com/contact"],
    ),
    (
        "S53b",
        "Medscape: Daxxify dosing, interactions",
        ["https://reference.medscape.com/drug/daxxify-daxibotulinumtoxinA-4000078"],
    ),
    (
        "S53c",
        "openFDA NDC: DAXXIFY",
        ["https://api.fda.gov/drug/ndc.json?search=packaging.package_ndc%3A%2272960-112-02%22"],
    ),
    (
        "S53d",
        "Clinic page quoting DAXXIFY SAKURA 3 safety data",
        ["https://vitaeheal.com/cosmetic-services/daxxify/"],
    ),
    (
        "S54",
        "drugs.com: Jeuveau dosage (US PI text)",
        ["https://www.drugs.com/dosage/jeuveau.html"],
    ),
    ("S54b", "Jeuveau description (900 kDa; assay)", ["https://mdtodate.com/jeuveau/"]),
    (
        "S55",
        "UKHSA Health Protection Report vol 19 issue 8 (Aug 2025): iatrogenic botulism outbreak; UK-licensed aesthetic toxins",
        [
            "https://www.gov.uk/government/publications/health-protection-report-volume-19-2025/hpr-volume-19-issue-8-news-7-august-2025"
        ],
    ),
    (
        "S56",
        "UKHSA: warning over botulism",
        ["https://www.gov.uk/government/news/ukhsa-issues-warning-over-botulism"],
    ),
    (
        "S57",
        'Specialist Pharmacy Service page "Botulinum A toxin" (stored copy on a staging host): temperature excursion, lactation',
        ["https://spsuat.devitup.co/medicines/botulinum-a-toxin"],
    ),
    (
        "S58",
        "NICE TA260: botulinum toxin type A for chronic migraine",
        ["https://nice.org.uk/guidance/TA260/chapter/1-recommendations"],
    ),
    (
        "S59",
        "MHRA/CHM Yellow Card paper form",
        ["https://www.scribd.com/document/441379923/Yellow-card-pdf"],
    ),
    (
        "S59b",
        "HEIW: information collected by Yellow Card",
        [
            "https://gpcpd.heiw.wales/non-clinical/yellow-card-scheme/information-collected-by-yellow-card/"
        ],
    ),
    (
        "S59c",
        "NHS GGC medicines blog: four minimum Yellow Card items",
        ["http://ggcmedicines.org.uk/blog/?page=19"],
    ),
    (
        "S59d",
        "GOV.UK: DHPC call-for-reporting template (serious ADR definition)",
        [
            "https://gov.uk/government/publications/how-to-draft-a-direct-healthcare-professional-communication/template-wording-for-call-for-reporting-sections-for-uk-direct-healthcare-professional-communications-dhpcs"
        ],
    ),
    (
        "S59e",
        "NHS formulary: what to report to Yellow Card",
        [
            "https://www.formularywkccgmtw.co.uk/prescribing-guidelines/miscellaneous/adverse-drug-reaction-reporting/"
        ],
    ),
    (
        "S59f",
        "Parliamentary answer: Yellow Card reference number and follow-up",
        ["https://www.parallelparliament.co.uk/question/HL1967/drugs-side-effects"],
    ),
    (
        "S60",
        "drugs.com (AHFS) onabotulinumtoxinA monograph: products not interchangeable; BOTOX = BOTOX Cosmetic formulation",
        ["https://www.drugs.com/monograph/onabotulinumtoxina.html?references=1"],
    ),
    (
        "S61",
        "FDA: Instructions for completing Form FDA 3500",
        ["https://www.fda.gov/safety/download-forms/instructions-completing-form-fda-3500"],
    ),
    (
        "S61b",
        "Form FDA 3500 field layout (2008 version); MedWatch instructions index",
        [
            "http://m.omb.report/icr/200810-0910-002/doc/10660501",
            "https://www.formsbank.com/template/310984/medwatch-instructions-for-medwatch-form-3500-voluntary-reporting-of-adverse-events.html?page=3",
        ],
    ),
    (
        "S62",
        "Insife PV glossary: serious AE; severe vs serious",
        [
            "https://www.insife.com/pvglossary/serious-adverse-event-(sae)-or-serious-adverse-reaction-(sar)"
        ],
    ),
    (
        "S62b",
        "EUPATI glossary: serious adverse event",
        ["https://learning.eupati.eu/mod/glossary/showentry.php?eid=321"],
    ),
    (
        "S63",
        "CTCAE grade definitions (v5, 2017)",
        ["https://ackc.org/jayedit/common-terminology-criteria-for-adverse-events"],
    ),
    (
        "S64",
        "WHO-UMC causality categories (table in PMC6039921)",
        ["https://pmc.ncbi.nlm.nih.gov/articles/PMC6039921/table/B2"],
    ),
    (
        "S65",
        "NHS number validation README (GitHub pfwd/nhsnumber-validation, seen via a mirror) and mailing-list quote of Connecting for Health check-digit document",
        [
            "https://github.com/pfwd/nhsnumber-validation",
            "https://thr3ads.net/search?q=tech_nn_check_digit",
        ],
    ),
    (
        "S66",
        "NHS England: Records Management Code of Practice",
        [
            "https://transform.england.nhs.uk/information-governance/guidance/records-management-code/"
        ],
    ),
    (
        "S66b",
        "MDU: updated guidance on records retention (2021 Code)",
        [
            "https://themdu.com/guidance-and-advice/latest-updates-and-advice/updated-guidance-on-medical-records-management-and-retention"
        ],
    ),
    (
        "S66c",
        "Information governance glossary: audit trail",
        ["https://glossary.ramit.be/public/term.cfm?termID=1439"],
    ),
    (
        "S67",
        "ICO: responding to a subject access request (time limits)",
        [
            "https://ico.org.uk/for-organisations/uk-gdpr-guidance-and-resources/individual-rights/right-of-access/what-should-we-consider-when-responding-to-a-request"
        ],
    ),
    (
        "S67b",
        "ICO SAR checklist for SMEs (third-party requests)",
        ["https://ico.org.uk/global/sar-checklist-for-smes/i-need-to-complete-a-sar"],
    ),
    (
        "S68",
        "ICO: special category data, conditions for processing",
        [
            "https://ico.org.uk/for-organisations/uk-gdpr-guidance-and-resources/lawful-basis/special-category-data/what-are-the-conditions-for-processing"
        ],
    ),
    (
        "S69",
        "ICO: PECR rules on marketing by electronic mail",
        [
            "https://ico.org.uk/for-organisations/guide-to-pecr/guidance-on-direct-marketing-using-electronic-mail/how-do-we-comply-with-the-rules-on-sending-marketing-by-electronic-mail/"
        ],
    ),
    (
        "S69b",
        "Geldards: ICO guidance on soft opt-in (service messages are not marketing)",
        [
            "https://www.geldards.com/insights/ico-updated-guidance-on-electronic-marketing-consent-and-the-soft-opt-in-exemption/"
        ],
    ),
    (
        "S69c",
        "Imperial College: electronic marketing and soft opt-in",
        [
            "https://www.imperial.ac.uk/admin-services/secretariat/information-governance/data-protection/processing-personal-data/marketing/electronic-marketing/"
        ],
    ),
    (
        "S70",
        "GMC: recordings for teaching, training and other purposes",
        [
            "https://www.gmc-uk.org/ethical-guidance/ethical-guidance-for-doctors/making-and-using-visual-and-audio-recordings-of-patients/recordings-made-for-research-teaching-training-and-other-healthcare-related-purposes"
        ],
    ),
    (
        "S70b",
        "BMA: taking and using pictures and recordings of patients",
        [
            "https://www.bma.org.uk/advice-and-support/ethics/confidentiality-and-health-records/taking-and-using-pictures-and-recordings-of-patients"
        ],
    ),
    (
        "S71",
        "MDU: GMC decision-making and consent (2020)",
        [
            "https://themdu.com/guidance-and-advice/guides/new-guidance-on-decision-making-and-consent"
        ],
    ),
    (
        "S72",
        "MDU: cosmetic procedures guide",
        ["https://themdu.com/guidance-and-advice/guides/cosmetic-procedures"],
    ),
    (
        "S73",
        "Summary of GMC guidance for doctors offering cosmetic interventions (2016)",
        ["https://youniqueaestheticsacademy.co.uk/topic/what-are-the-new-rules/"],
    ),
    (
        "S74",
        "Botulinum Toxin and Cosmetic Fillers (Children) Act 2021, ss.1–2",
        [
            "https://legislation.gov.uk/ukpga/2021/19/section/1/data.xht",
            "https://legislation.gov.uk/cy/ukpga/2021/19/section/2?view=plain",
        ],
    ),
    (
        "S74b",
        "GOV.UK: guidance for enforcement officers (under-18s)",
        [
            "https://www.gov.uk/government/publications/botulinum-toxin-and-cosmetic-fillers-for-under-18s-guidance-for-enforcement-officers/botulinum-toxin-and-cosmetic-fillers-for-under-18s-guidance-for-enforcement-officers"
        ],
    ),
    (
        "S75",
        "GOV.UK: consultation on licensing of non-surgical cosmetic procedures (2023)",
        [
            "https://www.gov.uk/government/consultations/licensing-of-non-surgical-cosmetic-procedures"
        ],
    ),
    (
        "S76",
        "Harley Academy: JCCP prescribing update (no remote prescribing)",
        [
            "https://harleyacademy.com/aesthetic-medicine-articles/aesthetics-regulations-jccp-prescribing-update"
        ],
    ),
    (
        "S77",
        "Glowday and Consentz on CQC scope for aesthetics (secondary)",
        [
            "https://pro.glowday.com/blog/do-i-need-to-be-cqc-registered",
            "https://www.consentz.com/?p=18501",
        ],
    ),
    (
        "S78",
        "NINDS CDE: HIT-6",
        [
            "https://commondataelements.ninds.nih.gov/report-viewer/23906/Headache%20Impact%20Test-6%20(HIT-6)"
        ],
    ),
    (
        "S78b",
        "HIT-6 impact bands",
        ["http://gabormelli.com/RKB/Six-Item_Headache_Impact_Test_(HIT-6)"],
    ),
    (
        "S79",
        "MIDAS grades (table)",
        ["https://pmc.ncbi.nlm.nih.gov/articles/PMC2876931/table/T0007/"],
    ),
    (
        "S80",
        "Myobloc HCP: TWSTRS and VAS",
        ["http://www.myobloc.com/hcp/about_myobloc/twstrs_vas.aspx"],
    ),
    (
        "S81",
        "Modified Ashworth Scale definitions (table)",
        ["https://pmc.ncbi.nlm.nih.gov/articles/PMC6278623/table/T4"],
    ),
    (
        "S82",
        "HDSS tool",
        ["https://sydneynorthneurology.com.au/hyperhidrosis-disease-severity-scale-tool/"],
    ),
    (
        "S82b",
        "Canadian Hyperhidrosis Advisory Committee: HDSS use",
        ["https://www.sweatless.ca/diagnosing"],
    ),
    (
        "S83",
        "Shirley Ryan AbilityLab: I-QOL",
        ["https://www.sralab.org/rehabilitation-measures/incontinence-quality-life-scale"],
    ),
    (
        "S83b",
        "Patrick et al. 1999, I-QOL further development (PubMed 9886591)",
        ["https://pubmed.ncbi.nlm.nih.gov/9886591/"],
    ),
    (
        "S84",
        "Trial record NCT05083286: Facial Wrinkle Scale 0–3",
        ["https://crick.ai/trials/NCT05083286"],
    ),
    (
        "S84b",
        "Trial record NCT04594213: Merz Aesthetics Scales 0–4, responder definition",
        ["http://inclinicaltrials.com/other/nct04594213/details"],
    ),
    (
        "S84c",
        "Pooled onabotulinumtoxinA UFL analysis (Allergan FWS ≥1 grade)",
        ["https://pmc.ncbi.nlm.nih.gov/articles/PMC9632938/"],
    ),
    (
        "S85",
        "NINDS CDE: Drooling Severity and Frequency Scale",
        [
            "https://commondataelements.ninds.nih.gov/report-viewer/23376/Drooling%20Severity%20and%20Frequency%20Scale%20(DSFS)"
        ],
    ),
    (
        "S86",
        "Jankovic Rating Scale table (Craniofacial Muscles, ch. 16)",
        ["https://www.yumpu.com/en/document/view/63183662/craniofacial-muscles/287"],
    ),
    (
        "S86b",
        "Wabbels et al., JRS and BSDI metric properties (Mov Disord)",
        ["http://onlinelibrary.wiley.com/doi/10.1002/mds.22368/abstract"],
    ),
    (
        "S87",
        "Umbrella review: BoNT-A for myogenous TMD (Drugs 2024)",
        ["https://pmc.ncbi.nlm.nih.gov/articles/PMC11289222/"],
    ),
    (
        "S88",
        "Jabbari & Comtesse: BoNT for motor disorders of PD (Toxins 2023)",
        ["https://pmc.ncbi.nlm.nih.gov/articles/PMC9960770"],
    ),
    (
        "S88b",
        "Use of BoNT in Parkinson's disease: a critical appraisal (Toxins 2021;13(2):87)",
        ["https://doi.org/10.3390/toxins13020087"],
    ),
    (
        "S89",
        "RxReasoner: botulinum toxin type A precautions and interactions",
        ["https://rxreasoner.com/substances/botulinum/precautions"],
    ),
    (
        "S90",
        "Bocouture patient leaflet (German): anticoagulants, bleeding disorders, antibodies",
        [
            "https://preview.medikamio.com/de-de/medikamente/bocouture-100-einheiten-pulver-zur-herstellung-einer-injektionslosung/pil"
        ],
    ),
    (
        "S91",
        "drugs.com: Dysport disease interactions (cow's milk protein)",
        ["https://www.drugs.com/disease-interactions/abobotulinumtoxina,dysport.html"],
    ),
    (
        "S92",
        "Saadia et al., palmar hyperhidrosis 50 vs 100 U (Neurology 2001)",
        ["https://www.ncbi.nlm.nih.gov/pubmed/11739832"],
    ),
    (
        "S93",
        "Blumenfeld et al., PREEMPT injection paradigm (Headache 2010)",
        ["https://pubmed.ncbi.nlm.nih.gov/20958294/"],
    ),
    (
        "S94",
        "Dysport vs BOTOX dose-equivalence trial in cervical dystonia (J Neurol Neurosurg Psychiatry 1998;64(1):6–12), abstract via BJO link",
        [
            "http://bjo.bmj.com/lookup/ijlink/YTozOntzOjQ6InBhdGgiO3M6MTQ6Ii9sb29rdXAvaWpsaW5rIjtzOjU6InF1ZXJ5IjthOjQ6e3M6ODoibGlua1R5cGUiO3M6NDoiQUJTVCI7czoxMToiam91cm5hbENvZGUiO3M6NDoiam5ucCI7czo1OiJyZXNpZCI7czo2OiI2NC8xLzYiO3M6NDoiYXRvbSI7czoyNjoiL2Jqb3BodGhhbG1vbC84Ny8xLzU0LmF0b20iO31zOjg6ImZyYWdtZW50IjtzOjA6IiI7fQ=="
        ],
    ),
    (
        "S95",
        "REPOSE real-world study, ADR table (J Headache Pain 2019)",
        [
            "https://thejournalofheadacheandpain.biomedcentral.com/articles/10.1186/s10194-019-0976-1/tables/5"
        ],
    ),
    (
        "S96",
        "Hull real-life study, AE table (J Headache Pain 2014)",
        [
            "https://thejournalofheadacheandpain.biomedcentral.com/articles/10.1186/1129-2377-15-54/tables/3"
        ],
    ),
    (
        "S97",
        "Neurology: rimabotulinumtoxinB cervical dystonia RCT AE table",
        [
            "https://n.neurology.org/highwire/markup/75587/expansion?width=1000&height=500&iframe=true&postprocessors=highwire_tables%2Chighwire_reclass%2Chighwire_figures%2Chighwire_math%2Chighwire_inline_linked_media%2Chighwire_embed"
        ],
    ),
    (
        "S98",
        "BOTOX product information (South Africa): duration after axillary injection",
        ["http://home.intekom.com/pharm/allergan/botox.html"],
    ),
    (
        "S99",
        "Vistabel patient leaflets (contraindications, interactions, pregnancy, antibodies)",
        [
            "https://oladoctor.com/en/medicines/spain/vistabel-4-unidades-allergan01-ml-polvo-para-solucion-inyectable",
            "https://peerscosmetic.com/product/buy-vistabel",
        ],
    ),
    (
        "S100",
        "Dental practice BOTOX protocol: record lot, expiry, sites, waste",
        [
            "https://sites.google.com/godental365.com/pcdmuniversity/PCDM-Introduction/botox-protocols/clinical-proficiency-requirements"
        ],
    ),
    (
        "S101",
        "Dr Oracle (secondary, citing AUA/SUFU): bladder retention risk, PVR before treatment",
        [
            "https://www.droracle.ai/articles/481972/do-botox-botulinum-toxin-injections-into-the-bladder-cause"
        ],
    ),
    (
        "S102",
        "UroToday: catheterisation rate after intravesical onabotulinumtoxinA (PVR at 2 weeks)",
        [
            "https://www.urotoday.com/recent-abstracts/pelvic-health-reconstruction/overactive-bladder/98069-what-is-the-true-catheterization-rate-after-intravesical-onabotulinumtoxina-injection-beyond-the-abstract.html"
        ],
    ),
    (
        "S103",
        "Daxxify monograph text (precautions for glabellar lines)",
        ["http://butalbitalapap.org/index-1546.html"],
    ),
    (
        "S104",
        "Botulinum toxin for TMD myofascial pain and sleep bruxism (VAS, MMO)",
        [
            "https://www.bruxismsupport.org/post/efficacy-of-botulinum-toxin-in-the-management-of-temporomandibular-myofascial-pain-and-sleep-bruxism"
        ],
    ),
    (
        "S105",
        "Thomas-Stonell and Greenberg drooling rating scale (Arch Dis Child Educ Pract)",
        [
            "https://ep.bmj.com/highwire/markup/137348/expansion?width=1000&height=500&iframe=true&postprocessors=highwire_tables%2Chighwire_reclass%2Chighwire_figures%2Chighwire_math%2Chighwire_inline_linked_media%2Chighwire_embed"
        ],
    ),
    (
        "S107",
        "Dr Oracle (secondary): maximum BOTOX dose 400 U; ≥3 months between sessions",
        [
            "https://www.droracle.ai/articles/209188/what-is-the-maximum-recommended-dose-of-botox-botulinum"
        ],
    ),
    (
        "S108",
        "RealSelf Q&A: review at 14 days, top-up practice",
        ["https://www.realself.com/question/south-africa-za-50units-botox"],
    ),
    (
        "S109",
        "Summary of changes to BOTOX SPC (MG/LEMS removed from contraindications; hypersensitivity)",
        ["https://studylib.net/doc/7886350/summary-of-changes-to-botox%C2%AE-uk-summary-of"],
    ),
    (
        "S110",
        "Visage Aesthetics: reading of GMC cosmetic guidance (prizes, discounts, contact)",
        [
            "https://visage-aesthetics.com/guidance-for-doctors-who-offer-cosmetic-interventions-my-take/"
        ],
    ),
    (
        "S110b",
        "GMC remote prescribing of Botox (2012)",
        ["https://www.beaudox.com/gmc-new-gmc-guidance-doctors-must-not-remotely-prescribe-botox/"],
    ),
    (
        "S111",
        "BoNT in children with cerebral palsy review (Paediatr Drugs 2019; MAS, Tardieu)",
        ["https://doi.org/10.1007/s40272-019-00344-8"],
    ),
    (
        "S112",
        "Low-dose onabotulinumtoxinA axillary hyperhidrosis trial (starch-iodine, gravimetry, HDSS)",
        ["https://jcadonline.com/onabotulinumtoxina-injections-in-patients-hyperhidrosis/"],
    ),
    (
        "S113",
        "Systematic review: BTX for refractory OAB (incontinence episodes/day, PVR)",
        ["https://pmc.ncbi.nlm.nih.gov/articles/PMC3152380"],
    ),
]


def fill(apps, schema_editor):
    Source = apps.get_model("treatments", "Source")
    Source.objects.bulk_create(
        [
            Source(code=code, position=position, title=title, urls=urls)
            for position, (code, title, urls) in enumerate(SOURCES, start=1)
        ]
    )


def empty(apps, schema_editor):
    apps.get_model("treatments", "Source").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("treatments", "0042_source")]

    operations = [migrations.RunPython(fill, empty)]
