"""Staff URLs of the cases app: lists pages (see views_lists.py)."""

from django.urls import URLPattern, path

from corridor.cases import views_lists as views

urlpatterns: list[URLPattern] = [
    path("", views.my_cases_view, name="my_cases"),
    path("board/", views.board_view, name="board"),
    path("search/", views.search_view, name="search"),
    path("<uuid:case_id>/request-access/", views.access_request_view, name="access_request"),
    path("access-requests/", views.access_requests_view, name="access_requests"),
    path(
        "access-requests/<uuid:request_id>/decide/",
        views.access_request_decide_view,
        name="access_request_decide",
    ),
    path("approvals/", views.approvals_view, name="approvals"),
    path("from-thread/<uuid:thread_id>/", views.open_from_thread_view, name="open_from_thread"),
    path("new/", views.new_case_view, name="new_case"),
]
