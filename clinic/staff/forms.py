"""Forms of the staff page. Plain forms, not model forms: they carry only the fields a
manager may set, so is_superuser, is_staff, groups or permissions in a POST are ignored.
Input checks only; the rules (no superusers, not oneself) live in clinic.staff.services."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Field, Layout, Row
from django import forms
from django.contrib.auth.validators import UnicodeUsernameValidator

from clinic.idempotency import SubmissionTokenField
from clinic.inputs import AsShownField, RefusesStalePage
from clinic.roles import Role
from clinic.staff.choices import RegulatedProfession

# What each role is for, in the words a manager would use (DOMAIN §7.3).
ROLE_HELP = {
    Role.RECEPTION: "registers patients, books the diary, enters intake questionnaires; "
    "no clinical records",
    Role.PRACTITIONER: "doctor, nurse or dentist prescriber: reviews, treats, signs sessions",
    Role.MANAGER: "dashboard, reports, stock, reference data and staff accounts; "
    "signs nothing clinical",
}
ROLE_CHOICES = [(role.value, f"{role.value} — {ROLE_HELP[role]}") for role in Role]


def _role_field(label: str = "Role") -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=ROLE_CHOICES,
        widget=forms.RadioSelect,
        help_text="One role per person. Superuser and admin-site status are not given here.",
    )


class StaffCreateForm(forms.Form):
    first_name = forms.CharField(max_length=150)
    last_name = forms.CharField(max_length=150)
    username = forms.CharField(
        max_length=150,
        validators=[UnicodeUsernameValidator()],
        help_text="What they type to sign in, e.g. priya.shah. Letters, digits and @ . + - _",
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none"}),
    )
    email = forms.EmailField(
        required=False,
        help_text="Optional. If given, the set-password link is emailed to them, not shown.",
    )
    role = _role_field()
    # A double-click returns the first result (the account) instead of "username in use".
    submission_token = SubmissionTokenField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.render_hidden_fields = True
        self.helper.layout = Layout(
            Row(
                Column(Field("first_name", autofocus=True), css_class="col-md-6"),
                Column("last_name", css_class="col-md-6"),
            ),
            Row(Column("username", css_class="col-md-6"), Column("email", css_class="col-md-6")),
            "role",
        )

    def clean_username(self) -> str:
        return self.cleaned_data["username"].strip()

    def clean_role(self) -> Role:
        return Role(self.cleaned_data["role"])


class StaffRoleForm(RefusesStalePage, forms.Form):
    role = _role_field("New role")
    # The role the page showed ("" for none): a change made meanwhile by another manager
    # is not silently overwritten (clinic.staff.services.staff_change_role).
    shown_role = AsShownField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def clean_role(self) -> Role:
        return Role(self.cleaned_data["role"])


class StaffRegistrationForm(RefusesStalePage, forms.Form):
    """DOMAIN §10 rule 29b: a practitioner's professional registration, as the Botulinum
    Toxin and Cosmetic Fillers (Children) Act 2021 s1(4) and s1(7) name them."""

    # The registration the page showed (StaffProfile.registration()): a change another
    # manager made meanwhile, such as a lapsed registration removed, is not silently
    # undone by an older page (clinic.staff.services.staff_set_registration).
    shown_registration = AsShownField(max_length=200)

    registered_medical_practitioner = forms.BooleanField(
        label="Registered medical practitioner (on the GMC register)",
        required=False,
        help_text="Only a registered medical practitioner, or a registered nurse, dentist or "
        "pharmacist on a doctor's directions, may give toxin to a patient under 18 (Botulinum "
        "Toxin and Cosmetic Fillers (Children) Act 2021).",
    )
    gmc_number = forms.RegexField(
        label="GMC number",
        regex=r"^\d{7}$",
        required=False,
        max_length=7,
        error_messages={"invalid": "A GMC number is 7 digits, e.g. 1234567."},
    )
    regulated_profession = forms.ChoiceField(
        label="Regulated health professional",
        choices=[("", "No (or not a nurse, dentist or pharmacist)"), *RegulatedProfession.choices],
        required=False,
        help_text="Who may treat a patient under 18 on a doctor's directions.",
    )
    registration_number = forms.RegexField(
        label="Registration number (NMC PIN, GDC or GPhC number)",
        regex=r"^[A-Za-z0-9]{1,12}$",
        required=False,
        max_length=12,
        error_messages={"invalid": "A registration number is letters and digits only."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
