"""Staff URLs of the cases app: case pages (see views_case.py)."""

from django.urls import URLPattern, path

from corridor.cases import views_case as v

urlpatterns: list[URLPattern] = [
    path("<uuid:case_id>/", v.case_view, name="case"),
    path("<uuid:case_id>/profile/", v.case_profile_view, name="case_profile"),
    path("<uuid:case_id>/move/", v.case_move_view, name="case_move"),
    path("<uuid:case_id>/close/", v.case_close_view, name="case_close"),
    path("<uuid:case_id>/reopen/", v.case_reopen_view, name="case_reopen"),
    path("<uuid:case_id>/flags/", v.case_flag_view, name="case_flag"),
    path("<uuid:case_id>/flags/clear/", v.case_flag_clear_view, name="case_flag_clear"),
    path("<uuid:case_id>/approvals/", v.case_approval_request_view, name="case_approval_request"),
    path("<uuid:case_id>/approvals/decide/", v.case_approval_decide_view, name="case_approval_decide"),
    path("<uuid:case_id>/notes/", v.case_note_view, name="case_note"),
    path("<uuid:case_id>/contacts/", v.case_contact_view, name="case_contact"),
    path("<uuid:case_id>/risk/", v.case_risk_view, name="case_risk"),
    path("<uuid:case_id>/access/grant/", v.case_grant_view, name="case_grant"),
    path("<uuid:case_id>/access/revoke/", v.case_revoke_view, name="case_revoke"),
    path("<uuid:case_id>/caseworker/", v.case_assign_view, name="case_assign"),
]
