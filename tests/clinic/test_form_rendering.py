"""The patient form written in Python (clinic/form_rendering.py, issue 14.3) gives the page
crispy-bootstrap5 and Django's widget templates gave it: the same elements, attributes and
text for every field, in every state a receptionist meets (empty, typed with errors, a
form-level error, the edit form, without the NHS number), and the same characters for
each widget. So do the other forms written by render_layout (outcome score, task, vial
receipt, prescriber assessment; the session editor's, with its tick boxes; the side-effect
forms, with their radio buttons; the questionnaire's screening questions; the managers'
staff and subject access forms; the forms without a layout that the `|crispy` filter
wrote), empty and with errors, and the project's form renderer
is the Python one for every form."""

import re
import uuid
from datetime import date
from html.parser import HTMLParser

import pytest
from crispy_forms.layout import HTML, Layout
from django import forms
from django.contrib.auth.tokens import default_token_generator
from django.forms.renderers import DjangoTemplates, get_default_renderer
from django.template import Context, Template
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.safestring import mark_safe
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic.form_rendering import WidgetRenderer, render_layout
from clinic.roles import Role
from patients.forms import EditPatientForm, RegisterPatientForm
from patients.models import Patient, SubjectAccessRequest
from tests.clinic.test_authentication import _signed_in
from tests.conftest import client_for
from tests.factories import (
    SideEffectFactory,
    TreatmentSessionFactory,
    UserFactory,
    VialFactory,
)
from tests.patients.test_views import form_data

TOKEN = str(uuid.uuid4())
TOKEN_INPUT = re.compile(r'name="submission_token" value="([0-9a-f-]{36})"')
CRISPY = Template("{% load crispy_forms_tags %}{% crispy form %}")
DJANGO_RENDERER = DjangoTemplates()  # Django's own widget templates: what ours must equal


def test_every_form_renders_its_widgets_in_python():
    """The project's form renderer (settings.FORM_RENDERER) is ours, for every form."""
    renderer = get_default_renderer()
    assert isinstance(renderer, WidgetRenderer)
    # Django's own templates are in use, so each of these is written in Python.
    for name in ("text", "select", "select_option", "radio_option", "checkbox_option"):
        assert f"django/forms/widgets/{name}.html" in renderer._written, name


class _Tokens(HTMLParser):
    """Tags with their attributes (classes as a set) and text, whitespace folded: the
    page as a browser and a screen reader see it."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = sorted(
            (k, " ".join(sorted((v or "").split())) if k == "class" else v) for k, v in attrs
        )
        self.out.append(f"<{tag} {attrs}>")

    def handle_endtag(self, tag):
        self.out.append(f"</{tag}>")

    def handle_data(self, data):
        if text := " ".join(data.split()):
            self.out.append(text)


def _tokens(html: str) -> list[str]:
    parser = _Tokens()
    parser.feed(html)
    return parser.out


def _both(make):
    """The same form rendered by crispy with Django's templates, and by render_layout."""
    old, new = make(DJANGO_RENDERER), make(None)
    for form in (old, new):
        if "submission_token" in form.fields:  # a new one per form, else
            form.fields["submission_token"].initial = TOKEN
    for form in (old, new):
        form.is_valid()  # an unbound form: False, no errors
    assert isinstance(new.renderer, WidgetRenderer)  # the project's (FORM_RENDERER)
    return CRISPY.render(Context({"form": old})), str(render_layout(new))


TYPED_BADLY = form_data(
    postcode="nonsense", date_of_birth="31/02/1990", family_name="", phone="12", email="x@",
    sex="", nhs_number="123", emergency_contact_name="B4d", consent_marketing_sms="on",
    address_line_2='<b>flat & 2</b>"', referral_detail="Dr O'Neil <script>",
)  # fmt: skip

PATIENT = Patient(
    title="Mr", given_names="Siân", family_name="O'Neil-Smith", date_of_birth=date(1978, 3, 14),
    sex="male", nhs_number="9434765919", phone="+447700900123", address_line_1="1 Road",
    town="Leeds", postcode="LS1 4AP", gp_practice="Park Surgery",
    emergency_contact_name="Ann", emergency_contact_phone="07700900456",
    referral_source="gp", consent_contact_sms=True, version=3,
)  # fmt: skip


def _with_form_error(form):
    form.is_valid()
    form.add_error(None, "This form cannot be sent again. <Reload> the page.")
    return form


@pytest.mark.parametrize(
    "make",
    [
        lambda r: RegisterPatientForm(renderer=r),
        lambda r: RegisterPatientForm(renderer=r, show_nhs_number=False),
        lambda r: RegisterPatientForm(TYPED_BADLY, renderer=r),
        lambda r: RegisterPatientForm(TYPED_BADLY, renderer=r, show_nhs_number=False),
        lambda r: RegisterPatientForm(
            {**form_data(), "submission_token": TOKEN}, renderer=r
        ),
        lambda r: _with_form_error(RegisterPatientForm(form_data(), renderer=r)),
        lambda r: EditPatientForm(instance=PATIENT, initial={"version": 3}, renderer=r),
        lambda r: EditPatientForm(
            {**TYPED_BADLY, "version": "3"}, instance=PATIENT, renderer=r, show_nhs_number=False
        ),
    ],
    ids=[
        "empty", "empty-no-nhs", "errors", "errors-no-nhs", "valid", "form-error", "edit",
        "edit-errors",
    ],
)  # fmt: skip
def test_the_patient_form_renders_as_crispy_rendered_it(make):
    crispy, ours = _both(make)
    assert _tokens(ours) == _tokens(crispy)


def test_what_was_typed_is_kept_and_escaped():
    form = RegisterPatientForm(TYPED_BADLY)
    form.is_valid()
    html = str(render_layout(form))
    assert 'value="&lt;b&gt;flat &amp; 2&lt;/b&gt;&quot;"' in html
    assert "Dr O&#x27;Neil &lt;script&gt;" in html
    assert 'aria-describedby="id_postcode_error"' in html
    assert '<div id="id_postcode_error" class="invalid-feedback">' in html


class _Widgets(forms.Form):
    text = forms.CharField(max_length=5, widget=forms.TextInput(attrs={"data-x": 'a"b'}))
    number = forms.IntegerField(required=False, widget=forms.NumberInput(attrs={"off": False}))
    when = forms.DateField(widget=forms.DateInput(format="%d/%m/%Y", attrs={"on": True}))
    tick = forms.BooleanField(required=False)
    hidden = forms.CharField(widget=forms.HiddenInput, required=False)
    email = forms.EmailField(required=False)
    pick = forms.ChoiceField(choices=[("", "Choose…"), ("a&b", "A & B"), (3, 3)])
    grouped = forms.ChoiceField(
        choices=[("Group <1>", [("x", "X"), ("y", "Y")]), ("z", "Z")], required=False
    )
    many = forms.MultipleChoiceField(choices=[("p", "P"), ("q", "Q")], required=False)
    radio = forms.ChoiceField(choices=[("r", "R <1>"), ("s", "S")], widget=forms.RadioSelect)
    ticks = forms.MultipleChoiceField(
        choices=[("t", "T & U"), ("v", "V")], widget=forms.CheckboxSelectMultiple, required=False
    )


@pytest.mark.parametrize(
    "data",
    [
        None,
        {"text": "<i>", "number": "7", "when": "14/03/1978", "tick": "on", "hidden": "h",
         "email": "e@x", "pick": "a&b", "grouped": "y", "many": ["p", "q"], "radio": "s",
         "ticks": ["t"]},
        {"text": "too long", "number": "x", "when": "bad", "pick": "nope", "grouped": "z",
         "radio": "w"},
    ],
    ids=["unbound", "valid", "invalid"],
)  # fmt: skip
def test_each_widget_gives_the_characters_of_django_templates(data):
    initial = {"text": mark_safe("<b>safe</b>"), "when": date(2020, 1, 2), "pick": 3}
    django_form = _Widgets(data, initial=initial, renderer=DJANGO_RENDERER)
    ours = _Widgets(data, initial=initial)  # the project's renderer
    for name in django_form.fields:
        assert str(ours[name]) == str(django_form[name]), name
    # Each radio button or tick box on its own (a template that lays them out itself, as
    # the screening questions' does), with and without its label around it.
    for name in ("radio", "ticks"):
        for theirs, mine in zip(django_form[name], ours[name], strict=True):
            assert mine.tag() == theirs.tag(), name
            assert mine.tag(wrap_label=True) == theirs.tag(wrap_label=True), name


def _token_out(html: str) -> tuple[str, str]:
    token = TOKEN_INPUT.search(html)[1]
    return html.replace(token, "TOKEN"), token


@pytest.mark.parametrize("show_nhs_number", [True, False])
def test_the_empty_form_is_written_once_and_its_token_every_time(show_nhs_number):
    uncached = RegisterPatientForm(show_nhs_number=show_nhs_number)
    uncached.layout_cache = False
    expected, _ = _token_out(str(render_layout(uncached)))
    tokens = set()
    for _ in range(2):  # the second (at least) from the cache
        form = RegisterPatientForm(show_nhs_number=show_nhs_number)
        html, token = _token_out(str(render_layout(form)))
        assert html == expected
        tokens.add(token)
    assert len(tokens) == 2


def test_a_form_with_data_is_never_served_from_the_cache():
    render_layout(RegisterPatientForm())
    html = str(render_layout(RegisterPatientForm(TYPED_BADLY)))
    assert 'value="nonsense"' in html
    assert 'aria-invalid="true"' in html
    edit = str(render_layout(EditPatientForm(instance=PATIENT)))
    assert 'value="O&#x27;Neil-Smith"' in edit


def test_layouts_it_does_not_write_are_refused():
    form = RegisterPatientForm()
    form.helper.layout = Layout(HTML("<p>{{ form }}</p>"))
    with pytest.raises(TypeError, match=r"use \{% crispy %\}"):
        render_layout(form)


# The other pages whose form is written by render_layout: each page's own form (its
# choices, initial values and labels as the view builds them), empty and sent back empty
# (every required field in error), written as crispy writes it with Django's templates.
LAYOUT_PAGES = {
    "outcome": "/patients/{patient}/outcomes/new/",
    "task": "/patients/{patient}/tasks/new/",
    "vial receipt": "/vials/receive/",
    "prescriber assessment": "/patients/{patient}/assessments/new/",
}


@pytest.mark.django_db
@pytest.mark.parametrize("page", LAYOUT_PAGES)
def test_the_other_layout_forms_render_as_crispy_rendered_them(page, practitioner_client, patient):
    url = LAYOUT_PAGES[page].format(patient=patient.public_id)
    for response in (practitioner_client.get(url), practitioner_client.post(url, {})):
        assert response.status_code == 200, (page, response.status_code)
        form = response.context["form"]
        ours = str(render_layout(form))
        assert ours in response.content.decode()  # the page shows this writing
        form.renderer = DJANGO_RENDERER  # crispy with Django's own widget templates
        theirs = CRISPY.render(Context({"form": form}))
        assert _tokens(ours) == _tokens(theirs), page


def _written_as_crispy_writes_it(response, key: str = "form") -> dict:
    """The page's form, as the page shows it, against crispy with Django's templates."""
    assert response.status_code == 200, response.status_code
    form = response.context[key]
    ours = str(render_layout(form))
    assert ours in response.content.decode()  # the page shows this writing
    form.renderer = DJANGO_RENDERER
    theirs = CRISPY.render(Context({"form": form}))
    assert _tokens(ours) == _tokens(theirs)
    return form.errors


@pytest.mark.django_db
def test_the_session_editors_form_with_its_tick_boxes_renders_as_crispy_rendered_it(
    practitioner_client, practitioner, patient
):
    """Two usable vials: the first vial's select and the further vials' tick boxes (the
    first one disabled and marked), then sent back with a vial that cannot be used ticked
    (the tick boxes' error under the last one)."""
    first, _second = VialFactory.create_batch(
        2, received_by=practitioner, presentation_units=200, diluent_ml=4
    )
    session = TreatmentSessionFactory(patient=patient, practitioner=practitioner, vial=first)
    url = f"/sessions/{session.public_id}/edit/"
    page = practitioner_client.get(url)
    _written_as_crispy_writes_it(page)
    assert "data-first-vial" in page.content.decode()
    sent = practitioner_client.post(
        url,
        {
            "vial": first.pk,
            "further_vials": ["999999"],
            "version": session.version,
            "action": "save",
        },
    )
    assert "further_vials" in _written_as_crispy_writes_it(sent)


@pytest.mark.django_db
def test_the_side_effect_forms_with_their_radio_buttons_render_as_crispy_rendered_them(
    practitioner_client, reception_client, practitioner, patient
):
    """Recorded by a practitioner (radio buttons, the seriousness criteria inside the
    layout's own <div>) and phoned in at reception, empty and sent back empty; reviewed
    (radio buttons chosen); the Yellow Card decision on the report's page."""
    url = f"/patients/{patient.public_id}/side-effects/new/"
    for client in (practitioner_client, reception_client):
        _written_as_crispy_writes_it(client.get(url))
        sent_empty = client.post(url, {"description": ""})  # `request.POST or None`: not {}
        assert _written_as_crispy_writes_it(sent_empty)  # every required field in error
    side_effect = SideEffectFactory(patient=patient, session__patient=patient)
    review = practitioner_client.get(f"/side-effects/{side_effect.public_id}/review/")
    _written_as_crispy_writes_it(review)
    assert "checked" in str(render_layout(review.context["form"]))
    detail = practitioner_client.get(f"/side-effects/{side_effect.public_id}/")
    _written_as_crispy_writes_it(detail, "decision_form")


@pytest.mark.django_db
def test_the_questionnaires_screening_questions_render_as_their_template_renders_them(
    practitioner_client, patient
):
    """Each screening question through its own crispy template
    (patients/includes/yes_no_field.html) and through its Python writer: empty, then sent
    back with one answer and the rest unanswered (each question's error in its row)."""
    url = f"/patients/{patient.public_id}/questionnaire/new/"
    _written_as_crispy_writes_it(practitioner_client.get(url))
    sent = practitioner_client.post(url, {"pregnant_or_breastfeeding": "yes"})
    errors = _written_as_crispy_writes_it(sent)
    assert len(errors) > 10  # the unanswered questions
    assert (
        'value="yes" class="form-check-input" id="id_pregnant_or_breastfeeding_0" required checked>'
        in (sent.content.decode())
    )


@pytest.mark.django_db
def test_the_managers_forms_render_as_crispy_rendered_them(manager_client, manager, patient):
    """Staff: a new account (empty, then sent back with every required field in error), a
    member's role and registration; subject access: a new request and an existing one."""
    member = UserFactory(username="nadia", role=Role.PRACTITIONER)
    _written_as_crispy_writes_it(manager_client.get("/staff/add/"))
    assert _written_as_crispy_writes_it(manager_client.post("/staff/add/", {"first_name": ""}))
    page = manager_client.get(f"/staff/{member.pk}/")
    for form in ("role_form", "registration_form"):
        _written_as_crispy_writes_it(page, form)
    _written_as_crispy_writes_it(
        manager_client.get(f"/patients/{patient.public_id}/subject-access/")
    )
    sar = SubjectAccessRequest.objects.create(
        patient=patient, received_on=timezone.localdate(), recorded_by=manager
    )
    _written_as_crispy_writes_it(
        manager_client.get(f"/patients/{patient.public_id}/subject-access/{sar.pk}/")
    )


CRISPY_FILTER = Template("{% load crispy_forms_tags %}{{ form|crispy }}")


def _written_as_the_crispy_filter_writes_it(response, key: str = "form") -> dict:
    """The page's form (no layout of its own), as the page shows it, against crispy's
    `|crispy` filter with Django's templates."""
    assert response.status_code == 200, response.status_code
    form = response.context[key]
    assert getattr(form, "helper", None) is None, "a form with a layout: use the other check"
    ours = str(render_layout(form))
    assert ours in response.content.decode()  # the page shows this writing
    form.renderer = DJANGO_RENDERER
    theirs = CRISPY_FILTER.render(Context({"form": form}))
    assert _tokens(ours) == _tokens(theirs)
    return form.errors


@pytest.mark.django_db
def test_the_forms_without_a_layout_render_as_the_crispy_filter_rendered_them(
    practitioner, manager, patient
):
    """The pages that showed `{{ form|crispy }}`: the vial's reconstitution and discard, a
    patient's archive (empty and sent back), a password change and a new one from a link
    (both sent back: Django's password checks), two-step sign-in's enrolment and code
    (sent back)."""
    vial = VialFactory(reconstituted_at=None, diluent_ml=None, use_by=None)  # on its page
    page = client_for(practitioner).get(f"/vials/{vial.pk}/")
    for key in ("reconstitute_form", "discard_form"):
        _written_as_the_crispy_filter_writes_it(page, key)

    managing = client_for(manager)
    archive = f"/patients/{patient.public_id}/archive/"
    _written_as_the_crispy_filter_writes_it(managing.get(archive))
    assert _written_as_the_crispy_filter_writes_it(managing.post(archive, {"reason": ""}))

    _written_as_the_crispy_filter_writes_it(managing.get("/accounts/password/"))
    short = {"old_password": "wrong", "new_password1": "abc", "new_password2": "abd"}
    assert _written_as_the_crispy_filter_writes_it(managing.post("/accounts/password/", short))

    member = UserFactory(username="nadia", role=Role.PRACTITIONER)
    uid = urlsafe_base64_encode(force_bytes(member.pk))
    browser = client_for(None)
    link = browser.get(f"/staff/password/{uid}/{default_token_generator.make_token(member)}/")
    assert link.status_code == 302, link.status_code
    _written_as_the_crispy_filter_writes_it(browser.get(link["Location"]))
    mismatch = {"new_password1": "abc", "new_password2": "abd"}
    assert _written_as_the_crispy_filter_writes_it(browser.post(link["Location"], mismatch))

    enrolling = _signed_in(practitioner)
    _written_as_the_crispy_filter_writes_it(enrolling.get("/accounts/two-factor/setup/"))
    assert _written_as_the_crispy_filter_writes_it(
        enrolling.post("/accounts/two-factor/setup/", {"token": "12"})
    )
    TOTPDevice.objects.create(user=manager, name="phone", confirmed=True)
    verifying = _signed_in(manager)
    _written_as_the_crispy_filter_writes_it(verifying.get("/accounts/two-factor/"))
    assert _written_as_the_crispy_filter_writes_it(
        verifying.post("/accounts/two-factor/", {"token": "x"})
    )
