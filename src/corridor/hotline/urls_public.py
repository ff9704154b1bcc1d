from django.urls import path

from corridor.hotline import views_public as views

app_name = "hotline_public"
urlpatterns = [
    path("", views.landing_view, name="landing"),
    path("request/", views.request_view, name="request"),
    path("thread/", views.enter_view, name="enter"),
    path("thread/messages/", views.thread_view, name="thread"),
    path("thread/write/", views.write_view, name="write"),
    path("thread/leave/", views.leave_view, name="leave"),
    path("recipes/", views.neutral_view, name="neutral"),
]
