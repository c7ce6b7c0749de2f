"""The session editor's injection point rows: one form per row, the site list loaded once
per formset and shared by its rows, and the formset that hands the points to the service
(`submitted_points`), taking rows left as the page showed them without validating them
again (treatments.forms.unchanged_points)."""

import copy
from decimal import Decimal

from django import forms
from django.db.models import Exists, OuterRef
from django.utils.choices import BaseChoiceIterator
from django.utils.functional import cached_property

from treatments.choices import Side
from treatments.forms.rendering import FastCheckboxInput, FastNumberInput, FastSelect
from treatments.forms.unchanged_points import POINT_FIELDS, points_signature, unchanged_points
from treatments.models import AnatomicalSite, Indication, SiteTemplateRow


def _copy_field(field: forms.Field) -> forms.Field:
    """What Field.__deepcopy__ copies (the field, its widget and attributes, error messages,
    validators), without the copy module's generic machinery. Choices stay shared: the
    rows never change them in place."""
    new = copy.copy(field)
    new.widget = copy.copy(field.widget)
    new.widget.attrs = field.widget.attrs.copy()
    new.error_messages = field.error_messages.copy()
    new.validators = field.validators[:]
    return new


class PointForm(forms.Form):
    """One injection point row. The site list is loaded once per formset (not per row)."""

    site = forms.TypedChoiceField(label="Site / muscle", empty_value=None, widget=FastSelect)
    # No default side: a new point's side is always chosen (a default "Left" was kept by
    # mistake for right-sided points).
    side = forms.ChoiceField(choices=[("", "Side…"), *Side.choices], widget=FastSelect)
    # Units or volume: the other follows from the vial's dilution (DOMAIN §10 rule 6).
    units = forms.DecimalField(
        min_value=Decimal("0.01"),
        max_digits=7,
        decimal_places=2,
        required=False,
        widget=FastNumberInput,
        error_messages={"min_value": "Units must be more than 0."},
    )
    volume_ml = forms.DecimalField(
        min_value=Decimal("0.001"),
        max_digits=6,
        decimal_places=3,
        required=False,
        label="Volume (mL)",
        widget=FastNumberInput,
        error_messages={"min_value": "Volume must be more than 0 mL."},
    )
    points = forms.IntegerField(
        min_value=1, max_value=100, initial=1, label="Points", widget=FastNumberInput
    )

    def __init__(self, *args, sites=None, fields=None, **kwargs):
        # Django deep-copies the declared fields for every form; a PREEMPT page makes 31 of
        # these rows, which share one set of fields configured once per formset (`fields`:
        # the rows' fields are alike, and nothing changes a row's field afterwards).
        self.base_fields = {}
        super().__init__(*args, **kwargs)
        self.fields = dict(fields if fields is not None else self.row_fields(sites))
        if isinstance(self.initial.get("site"), AnatomicalSite):
            self.initial["site"] = self.initial["site"].pk

    @classmethod
    def row_fields(cls, sites=None) -> dict:
        """The row's fields, configured: the site list (normalised once per formset) and
        the attributes the page's script and screen readers use."""
        fields = {name: _copy_field(f) for name, f in cls.base_fields.items()}
        sites = sites if sites is not None else SiteChoices.load()
        site = fields["site"]
        site.choices = sites.choices
        site.coerce = sites.get
        site.widget.option_cache = sites.option_cache
        for name, field in fields.items():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs["class"] = f"{css} form-control-sm"
            field.widget.attrs["data-point-field"] = name
            field.widget.attrs["aria-label"] = str(field.label or name)
        return fields

    def clean(self):
        cleaned = super().clean()
        typed = cleaned.get("units") is not None or cleaned.get("volume_ml") is not None
        # Nothing in either field: say so once. A value refused already (a negative
        # volume, say) has its own message; this one would only repeat it.
        if not typed and not ({"units", "volume_ml"} & self.errors.keys()):
            self.add_error("units", "Enter the units or the volume.")
        return cleaned


class _Normalized(BaseChoiceIterator):
    """Choices already in Django's normal form: a field takes them as they are, so 31 rows
    share one list instead of each normalising (and copying) every site."""

    def __init__(self, choices: list):
        self.choices = choices

    def __iter__(self):
        return iter(self.choices)

    def __getitem__(self, index):
        return self.choices[index]

    def __len__(self) -> int:
        return len(self.choices)


class SiteChoices:
    """Anatomical sites as select options, from one query: the indication's own sites (those
    of its site templates) first, then every other site grouped by region."""

    def __init__(self, sites, indication: Indication | None = None, own=None):
        self.by_pk = {site.pk: site for site in sites}
        if own is None:
            own = [site for site in sites if getattr(site, "for_indication", False)]
        else:
            own = [site for site in sites if site.pk in own]
        own_pks = {site.pk for site in own}
        groups: dict[str, list] = {}
        if own and indication is not None:
            groups[f"Sites for {indication.name}"] = [(site.pk, site.name) for site in own]
        for site in sites:
            if site.pk not in own_pks or indication is None:
                groups.setdefault(site.get_region_display(), []).append((site.pk, site.name))
        self.choices = _Normalized([("", "Site…"), *groups.items()])
        self.option_cache: dict = {}  # the rows' <option> HTML (FastSelect)

    @classmethod
    def load(cls, indication: Indication | None = None, *, snapshot=None) -> "SiteChoices":
        """From the request's reference snapshot when given: no query, and built once per
        snapshot and indication (the snapshot keeps it, with its option HTML, for the
        requests that follow while the reference data is unchanged). Else one query."""
        if snapshot is not None:
            key = ("site_choices", indication.pk if indication else None)
            choices = snapshot.derived.get(key)
            if choices is None:
                own = (
                    snapshot.sites_by_indication.get(indication.pk, frozenset())
                    if indication
                    else ()
                )
                choices = snapshot.derived.setdefault(
                    key, cls(list(snapshot.sites), indication, own=own)
                )
            return choices
        sites = AnatomicalSite.objects.order_by("region", "name")
        if indication is not None:
            sites = sites.annotate(
                for_indication=Exists(
                    SiteTemplateRow.objects.filter(
                        site=OuterRef("pk"), template__indication=indication
                    )
                )
            )
        return cls(list(sites), indication)

    def get(self, value):
        try:
            return self.by_pk[int(value)]
        except (KeyError, TypeError, ValueError) as exc:
            raise forms.ValidationError("Choose a site from the list.") from exc


class BasePointFormSet(forms.BaseFormSet):
    deletion_widget = FastCheckboxInput

    def __init__(self, *args, sites=None, session=None, **kwargs):
        self.sites = sites if sites is not None else SiteChoices.load()
        self.row_fields = self.form.row_fields(self.sites)  # shared by the rows
        # The draft the rows belong to: the page signs its rows as shown (`signature`), and
        # a submission of them unchanged is taken as it is (`submitted_points`).
        self.session = session
        super().__init__(*args, **kwargs)

    @cached_property
    def signature(self) -> str:
        """The page's signature of the rows it shows (an unbound formset of the draft's
        points); "" for a submitted one, whose rows may differ."""
        if self.is_bound or self.session is None:
            return ""
        return points_signature(
            session_pk=self.session.pk, version=self.session.version, initial=self.initial
        )

    def submitted_points(self) -> list[dict] | None:
        """The points to save, in order and without the rows marked for removal; None when
        a row does not validate (the rows then carry their errors). Rows exactly as the
        page showed them are the stored ones: taken as they are, not validated again."""
        if self.session is not None:
            unchanged = unchanged_points(self.data, session_pk=self.session.pk, sites=self.sites)
            if unchanged is not None:
                return unchanged
        if not self.is_valid():
            return None
        return [
            {name: form.cleaned_data[name] for name in POINT_FIELDS}
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]

    def get_form_kwargs(self, index):
        return {"sites": self.sites, "fields": self.row_fields}

    @property
    def empty_form(self):
        form = self.form(
            auto_id=self.auto_id,
            prefix=self.add_prefix("__prefix__"),
            empty_permitted=True,
            use_required_attribute=False,
            sites=self.sites,
            fields=self.row_fields,
        )
        self.add_fields(form, None)
        return form


PointFormSet = forms.formset_factory(
    PointForm,
    formset=BasePointFormSet,
    extra=0,
    can_delete=True,
    max_num=80,
    absolute_max=80,  # as the questionnaire's prior treatments: no forms past the limit built
    validate_max=True,
)
