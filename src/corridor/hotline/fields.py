"""Text checks shared by the applicant's and the operators' forms."""

from __future__ import annotations

from django import forms

from corridor.hotline.services import InvalidSubmission, clean_text


def checked_text(text: str, *, required: bool) -> str:
    """The services' own rules (control characters, length), as a form error instead of an exception."""
    try:
        return clean_text(text, required=required)
    except InvalidSubmission as exc:
        raise forms.ValidationError(str(exc)) from None
