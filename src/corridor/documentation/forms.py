"""Documentation forms: parsing only (the services check every code, date and text)."""

from __future__ import annotations

from functools import cache
from html import escape
from typing import Any

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from corridor.documentation import gazetteer, vocabularies
from corridor.documentation.models import (
    Body,
    Collection,
    Credibility,
    LinkKind,
    PerpetratorKind,
    Precision,
    Reliability,
    Site,
    SourceKind,
    VictimKind,
)
from corridor.documentation.services import MAX_SHORT, ActInput

CHOOSE = _("Choose a value from the list.")


def _set_choices(form: forms.Form, name: str, choices: list[tuple[str, str]]) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


def _blank(choices: list[tuple[str, str]], label: str = "—") -> list[tuple[str, str]]:
    return [("", label), *choices]


def site_choices() -> list[tuple[str, str]]:
    sites = Site.objects.order_by("place", "name")
    return [(str(s.pk), f"{gazetteer.place_name(s.place)}: {site_label(s)}") for s in sites]


def site_label(site: Site) -> str:
    return gazetteer.site_name(site)


class CollectionForm(forms.Form):
    title = forms.CharField(
        label=_("Name of the collection"),
        help_text=_("Stored encrypted; only documenters given the collection read it."),
        widget=forms.TextInput(attrs={"maxlength": MAX_SHORT}),
        error_messages={"required": _("Write something first.")},
    )


class GrantForm(forms.Form):
    username = forms.CharField(
        label=_("Documenter's username"),
        max_length=64,
        error_messages={"required": _("Write something first.")},
    )


class EventForm(forms.Form):
    collection = forms.ChoiceField(label=_("Collection"), error_messages={"invalid_choice": CHOOSE})
    title = forms.CharField(
        label=_("Title"),
        help_text=_(
            "A short name for the event, e.g. the wave of detentions it belongs to. Stored encrypted."
        ),
        widget=forms.TextInput(attrs={"maxlength": MAX_SHORT}),
        error_messages={"required": _("Write something first.")},
    )
    description = forms.CharField(
        label=_("What happened"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Stored encrypted."),
    )
    date = forms.CharField(
        label=_("Date (EDTF)"),
        max_length=64,
        help_text=_(
            "2017-04-12, 2017-03~ (about March), 2017-04-12? (uncertain), 2017-21 (spring), "
            "2017-03/2017-04, 2017-03/.. (open end)."
        ),
        error_messages={
            "required": _("Give a date, even an uncertain one (for example 2017-21 for spring 2017).")
        },
    )
    place = forms.ChoiceField(label=_("Place"), required=False, error_messages={"invalid_choice": CHOOSE})
    site = forms.ChoiceField(
        label=_("Site"),
        required=False,
        help_text=_("If the site is known, the place can be left empty."),
        error_messages={"invalid_choice": CHOOSE},
    )

    def __init__(self, *args: Any, collections: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self, "collection", collections)
        _set_choices(self, "place", _blank(gazetteer.choices()))
        _set_choices(self, "site", _blank(site_choices()))


class ActForm(forms.Form):
    act_type = forms.ChoiceField(
        label=_("Type of act"), error_messages={"invalid_choice": CHOOSE, "required": CHOOSE}
    )
    methods = forms.MultipleChoiceField(
        label=_("Methods"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": CHOOSE},
    )
    victim_kind = forms.ChoiceField(
        label=_("The victim is"),
        choices=VictimKind.choices,
        widget=forms.RadioSelect,
        initial=VictimKind.PERSON,
        error_messages={"invalid_choice": CHOOSE, "required": CHOOSE},
    )
    victim = forms.CharField(
        label=_("Victim"),
        required=False,
        help_text=_("A person's name or alias, or a description of the group. Stored encrypted."),
        widget=forms.TextInput(attrs={"maxlength": MAX_SHORT}),
    )
    victim_person = forms.CharField(
        label=_("Person code of the victim"),
        required=False,
        max_length=16,
        help_text=_("P-… if the victim is already recorded as a person (from another testimony, say)."),
    )
    count_min = forms.IntegerField(label=_("Group: at least"), required=False, min_value=1, max_value=100_000)
    count_best = forms.IntegerField(
        label=_("Group: best estimate"), required=False, min_value=1, max_value=100_000
    )
    count_max = forms.IntegerField(label=_("Group: at most"), required=False, min_value=1, max_value=100_000)
    date = forms.CharField(
        label=_("Date of the act (EDTF)"),
        max_length=64,
        required=False,
        help_text=_("Leave empty if it is the event's date."),
    )
    place = forms.ChoiceField(label=_("Place"), required=False, error_messages={"invalid_choice": CHOOSE})
    site = forms.ChoiceField(label=_("Site"), required=False, error_messages={"invalid_choice": CHOOSE})
    status_at_end = forms.ChoiceField(
        label=_("Status of the victim at the end of the act"),
        required=False,
        error_messages={"invalid_choice": CHOOSE},
    )
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Stored encrypted."),
    )
    perpetrator_kind = forms.ChoiceField(
        label=_("Perpetrator"),
        required=False,
        choices=_blank([(k, str(v)) for k, v in PerpetratorKind.choices], str(_("None recorded yet"))),
        error_messages={"invalid_choice": CHOOSE},
    )
    perpetrator_type = forms.ChoiceField(
        label=_("Type of perpetrator"), required=False, error_messages={"invalid_choice": CHOOSE}
    )
    degree = forms.ChoiceField(
        label=_("Degree of involvement"), required=False, error_messages={"invalid_choice": CHOOSE}
    )
    perpetrator_name = forms.CharField(
        label=_("Perpetrator's name"),
        required=False,
        help_text=_("A person's name is stored encrypted; an institution's name is not."),
        widget=forms.TextInput(attrs={"maxlength": MAX_SHORT}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self, "act_type", _blank(vocabularies.choices("act_types")))
        _set_choices(self, "methods", vocabularies.choices("methods"))
        _set_choices(self, "place", _blank(gazetteer.choices(), str(_("The event's place"))))
        _set_choices(self, "site", _blank(site_choices()))
        _set_choices(self, "status_at_end", _blank(vocabularies.choices("statuses")))
        _set_choices(self, "perpetrator_type", _blank(vocabularies.choices("perpetrator_types")))
        _set_choices(self, "degree", _blank(vocabularies.choices("degrees")))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("perpetrator_kind"):
            for name in ("perpetrator_type", "degree"):
                if not data.get(name):
                    self.add_error(name, CHOOSE)
        return data


class PerpetratorForm(forms.Form):
    act = forms.ChoiceField(label=_("Act"), error_messages={"invalid_choice": CHOOSE, "required": CHOOSE})
    perpetrator_kind = forms.ChoiceField(
        label=_("Perpetrator"),
        choices=PerpetratorKind.choices,
        error_messages={"invalid_choice": CHOOSE, "required": CHOOSE},
    )
    perpetrator_type = forms.ChoiceField(
        label=_("Type of perpetrator"), error_messages={"invalid_choice": CHOOSE, "required": CHOOSE}
    )
    degree = forms.ChoiceField(
        label=_("Degree of involvement"), error_messages={"invalid_choice": CHOOSE, "required": CHOOSE}
    )
    perpetrator_name = forms.CharField(
        label=_("Perpetrator's name"),
        required=False,
        help_text=_("A person's name is stored encrypted; an institution's name is not."),
        widget=forms.TextInput(attrs={"maxlength": MAX_SHORT}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self, "perpetrator_type", _blank(vocabularies.choices("perpetrator_types")))
        _set_choices(self, "degree", _blank(vocabularies.choices("degrees")))

    def set_acts(self, acts: list[tuple[str, str]]) -> None:
        _set_choices(self, "act", acts)


class LinkForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("This event"), choices=LinkKind.choices, error_messages={"invalid_choice": CHOOSE}
    )
    other = forms.CharField(
        label=_("Code of the other event"),
        max_length=16,
        error_messages={"required": _("Write something first.")},
    )


class SiteForm(forms.Form):
    name = forms.CharField(
        label=_("Name of the site"),
        help_text=_(
            "A public place where acts happened (a police station, a base). "
            "Never where a person lives or hides."
        ),
        widget=forms.TextInput(attrs={"maxlength": MAX_SHORT}),
        error_messages={"required": _("Write something first.")},
    )
    place = forms.ChoiceField(label=_("Place"), error_messages={"invalid_choice": CHOOSE, "required": CHOOSE})
    site_type = forms.ChoiceField(
        label=_("Type of site"), error_messages={"invalid_choice": CHOOSE, "required": CHOOSE}
    )
    precision = forms.ChoiceField(
        label=_("How precisely it is known"),
        choices=Precision.choices,
        error_messages={"invalid_choice": CHOOSE, "required": CHOOSE},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self, "place", _blank(gazetteer.choices()))
        _set_choices(self, "site_type", _blank(vocabularies.choices("site_types")))


class QuickSelect(forms.Select):
    """A select written out in Python: the same markup as Django's, without a template per option
    (on the event list, rendering the filters' options through templates cost more than the query)."""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        chosen = self.format_value(value)
        options, found = [], False
        for option_value, label in self.choices:
            code = "" if option_value is None else str(option_value)
            selected = not found and code in chosen
            found |= selected
            mark = " selected" if selected else ""
            options.append(f'<option value="{escape(code)}"{mark}>{escape(str(label))}</option>')
        return format_html(
            '<select name="{}"{}>\n  {}\n</select>',
            name,
            flatatt(self.build_attrs(self.attrs, attrs)),
            mark_safe("\n  ".join(options)),  # noqa: S308 - each value and label escaped above
        )


@cache
def _filter_options(language: str) -> dict[str, list[tuple[str, str]]]:
    """The filters' fixed options in one language: the gazetteer and the vocabularies change only
    with a new release, so they are built once per language and process."""
    everything = str(_("All"))
    return {
        "place": _blank(gazetteer.choices(), everything),
        "act_type": _blank(vocabularies.choices("act_types"), everything),
        "perpetrator_type": _blank(vocabularies.choices("perpetrator_types"), everything),
    }


class FilterForm(forms.Form):
    """The event list's filters (GET); an invalid value is reported, never a 500."""

    start = forms.CharField(label=_("From (EDTF)"), required=False, max_length=64)
    end = forms.CharField(label=_("To (EDTF)"), required=False, max_length=64)
    place = forms.ChoiceField(
        label=_("Place"), required=False, widget=QuickSelect, error_messages={"invalid_choice": CHOOSE}
    )
    site = forms.ChoiceField(
        label=_("Site"), required=False, widget=QuickSelect, error_messages={"invalid_choice": CHOOSE}
    )
    act_type = forms.ChoiceField(
        label=_("Type of act"), required=False, widget=QuickSelect, error_messages={"invalid_choice": CHOOSE}
    )
    perpetrator_type = forms.ChoiceField(
        label=_("Type of perpetrator"),
        required=False,
        widget=QuickSelect,
        error_messages={"invalid_choice": CHOOSE},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, choices in _filter_options(get_language() or "").items():
            _set_choices(self, name, choices)
        # Documenters add sites as they work: they are read on every request, never kept.
        _set_choices(self, "site", _blank(_site_filter_choices(), str(_("All"))))


def _site_filter_choices() -> list[tuple[str, str]]:
    """The same options as `site_choices`, from plain values instead of a model per site."""
    russian = (get_language() or "").startswith("ru")
    places = gazetteer.places()
    rows = Site.objects.order_by("place", "name").values_list("pk", "place", "name", "name_ru")
    choices = []
    for pk, place, name, name_ru in rows:
        known = places.get(place)
        where = (known.name_ru if russian else known.name_en) if known else place
        choices.append((str(pk), f"{where}: {name_ru if russian and name_ru else name}"))
    return choices


def collection_choices(collections: list[Collection], titles: dict[Any, str]) -> list[tuple[str, str]]:
    return [(str(c.pk), f"{c.code} — {titles.get(c.pk, '')}") for c in collections]


class PersonForm(forms.Form):
    collection = forms.ChoiceField(label=_("Collection"), error_messages={"invalid_choice": CHOOSE})
    name = forms.CharField(
        label=_("Name"),
        help_text=_("As the testimony gives it, in any script. Stored encrypted."),
        widget=forms.TextInput(attrs={"maxlength": MAX_SHORT}),
        error_messages={"required": _("Write something first.")},
    )
    aliases = forms.CharField(
        label=_("Other names and nicknames (one per line)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    birth = forms.CharField(label=_("Born (year or EDTF date)"), required=False, max_length=64)
    phone = forms.CharField(label=_("Phone number"), required=False, max_length=64)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, collections: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self, "collection", collections)


class SourceForm(forms.Form):
    collection = forms.ChoiceField(label=_("Collection"), error_messages={"invalid_choice": CHOOSE})
    kind = forms.ChoiceField(
        label=_("Kind of source"), choices=SourceKind.choices, error_messages={"invalid_choice": CHOOSE}
    )
    person = forms.CharField(
        label=_("Person code"),
        required=False,
        max_length=16,
        help_text=_("P-… when the source is a person recorded in the collection."),
    )
    description = forms.CharField(
        label=_("Who or what the source is"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For a publication: its title, outlet and date. Stored encrypted."),
    )

    def __init__(self, *args: Any, collections: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self, "collection", collections)


class InformationForm(forms.Form):
    source = forms.CharField(
        label=_("Source code"), max_length=16, error_messages={"required": _("Write something first.")}
    )
    connection = forms.ChoiceField(
        label=_("Connection of the source to the information"),
        error_messages={"invalid_choice": CHOOSE, "required": CHOOSE},
    )
    reliability = forms.ChoiceField(
        label=_("Reliability of the source"),
        choices=Reliability.choices,
        error_messages={"invalid_choice": CHOOSE},
    )
    credibility = forms.TypedChoiceField(
        label=_("Credibility of the information"),
        choices=Credibility.choices,
        coerce=int,
        error_messages={"invalid_choice": CHOOSE},
    )
    date = forms.CharField(label=_("Date the source gives (EDTF)"), required=False, max_length=64)
    count = forms.IntegerField(
        label=_("Number of victims the source gives"), required=False, min_value=1, max_value=100_000
    )
    statement = forms.CharField(
        label=_("What the source says"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Stored encrypted."),
    )
    # "thread:<id>" or "case:<id>"; the view checks the documenter can open it.
    taken_from = forms.CharField(
        label=_("Taken from"),
        required=False,
        max_length=64,
        help_text=_("The hotline thread or case this account comes from is kept with it, encrypted."),
        widget=forms.Select(),
    )

    def __init__(self, *args: Any, origins: list[tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self, "connection", _blank(vocabularies.choices("source_connections")))
        widget = self.fields["taken_from"].widget
        assert isinstance(widget, forms.Select)
        widget.choices = [("", _("An interview (no hotline thread or case)")), *(origins or [])]


class PersonCaseForm(forms.Form):
    case = forms.CharField(
        label=_("Code of the person's evacuation case"),
        required=False,
        max_length=16,
        help_text=_(
            "A case you can open. Its caseworkers then read the acts this person suffered. "
            "Leave empty to remove the link."
        ),
    )


class MatchForm(forms.Form):
    same = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[("yes", _("The same person")), ("no", _("Different people"))],
        coerce=lambda value: value == "yes",
        error_messages={"invalid_choice": CHOOSE, "required": CHOOSE},
    )


class InterventionForm(forms.Form):
    intervention_type = forms.ChoiceField(
        label=_("Type of intervention"), error_messages={"invalid_choice": CHOOSE, "required": CHOOSE}
    )
    body = forms.ChoiceField(
        label=_("Addressed to"),
        choices=Body.choices,
        error_messages={"invalid_choice": CHOOSE, "required": CHOOSE},
    )
    date = forms.CharField(
        label=_("Date sent (EDTF)"),
        max_length=64,
        error_messages={
            "required": _("Give a date, even an uncertain one (for example 2017-21 for spring 2017).")
        },
    )
    reference = forms.CharField(
        label=_("The body's reference number"),
        required=False,
        max_length=200,
        help_text=_("Stored encrypted."),
    )
    follows = forms.CharField(
        label=_("Follows up intervention"),
        required=False,
        max_length=16,
        help_text=_("I-… of the earlier complaint this one appeals or repeats."),
    )
    response = forms.ChoiceField(
        label=_("Response"), required=False, error_messages={"invalid_choice": CHOOSE}
    )
    response_date = forms.CharField(label=_("Date of the response (EDTF)"), required=False, max_length=64)
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Stored encrypted."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self, "intervention_type", _blank(vocabularies.choices("intervention_types")))
        _set_choices(self, "response", _blank(vocabularies.choices("responses"), str(_("No response yet"))))


class ResponseForm(forms.Form):
    intervention = forms.ChoiceField(
        label=_("Intervention"), error_messages={"invalid_choice": CHOOSE, "required": CHOOSE}
    )
    response = forms.ChoiceField(
        label=_("Response"), error_messages={"invalid_choice": CHOOSE, "required": CHOOSE}
    )
    response_date = forms.CharField(label=_("Date of the response (EDTF)"), required=False, max_length=64)

    def __init__(self, *args: Any, interventions: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self, "intervention", [("", "—"), *interventions])
        _set_choices(self, "response", _blank(vocabularies.choices("responses")))


class CorrectionForm(forms.Form):
    title = forms.CharField(
        label=_("Title"),
        widget=forms.TextInput(attrs={"maxlength": MAX_SHORT}),
        error_messages={"required": _("Write something first.")},
    )
    description = forms.CharField(
        label=_("What happened"), required=False, widget=forms.Textarea(attrs={"rows": 8})
    )
    reason = forms.CharField(
        label=_("Why it is corrected"),
        help_text=_("Kept, encrypted, with the earlier version."),
        widget=forms.TextInput(attrs={"maxlength": MAX_SHORT}),
        error_messages={"required": _("Write something first.")},
    )


class ActCorrectionForm(ActForm):
    """An act's fields as they should be, and why (its victim person and perpetrators stay)."""

    reason = forms.CharField(
        label=_("Why it is corrected"),
        help_text=_("Kept, encrypted, with the earlier version."),
        widget=forms.TextInput(attrs={"maxlength": MAX_SHORT}),
        error_messages={"required": _("Write something first.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("perpetrator_kind", "perpetrator_type", "degree", "perpetrator_name", "victim_person"):
            del self.fields[name]


def act_input(data: dict[str, Any], **extra: Any) -> ActInput:
    """What an act form (new or corrected) says, for the services; `extra` adds the new act's own fields."""
    return ActInput(
        act_type=data["act_type"],
        methods=data["methods"],
        victim_kind=data["victim_kind"],
        victim=data["victim"],
        count_min=data["count_min"],
        count_best=data["count_best"],
        count_max=data["count_max"],
        date=data["date"],
        place=data["place"],
        site=data["site"] or None,
        status_at_end=data["status_at_end"],
        notes=data["notes"],
        **extra,
    )
