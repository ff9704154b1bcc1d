from django.urls import path

from corridor.hotline import views_public as views
from corridor.hotline.applicant import own_session

app_name = "hotline_public"
# Every applicant page runs in the applicant's own session (corridor.hotline.applicant).
urlpatterns = [
    path("", own_session(views.landing_view), name="landing"),
    path("request/", own_session(views.request_view), name="request"),
    path("thread/", own_session(views.enter_view), name="enter"),
    path("thread/messages/", own_session(views.thread_view), name="thread"),
    path("thread/write/", own_session(views.write_view), name="write"),
    path("thread/leave/", own_session(views.leave_view), name="leave"),
    path("recipes/", own_session(views.neutral_view), name="neutral"),
]
