"""Staff URLs of the cases app: vetting pages (see views_vetting.py)."""

from django.urls import URLPattern, path

from corridor.cases import views_vetting

urlpatterns: list[URLPattern] = [
    path("<uuid:case_id>/vetting/", views_vetting.vetting_view, name="vetting"),
    path("<uuid:case_id>/vetting/check/", views_vetting.check_view, name="vetting_check"),
    path("<uuid:case_id>/vetting/reference/", views_vetting.reference_view, name="vetting_reference"),
    path("<uuid:case_id>/vetting/interview/", views_vetting.interview_view, name="vetting_interview"),
    path("<uuid:case_id>/vetting/red-flag/", views_vetting.red_flag_view, name="vetting_red_flag"),
    path(
        "<uuid:case_id>/vetting/request-decision/",
        views_vetting.request_decision_view,
        name="vetting_request_decision",
    ),
]
