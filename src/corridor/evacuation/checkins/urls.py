"""Staff URLs of check-ins."""

from django.urls import path

from corridor.evacuation.checkins import views

app_name = "checkins"
urlpatterns = [
    path("", views.missed_view, name="missed"),
    path("<uuid:case_id>/", views.case_view, name="case"),
    path("<uuid:case_id>/schedule/", views.schedule_view, name="schedule"),
    path("<uuid:case_id>/log/", views.log_view, name="log"),
]
