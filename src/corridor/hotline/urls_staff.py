from django.urls import path

from corridor.hotline import views_staff

app_name = "hotline_staff"
urlpatterns = [
    path("", views_staff.inbox_view, name="inbox"),
    path("intake/", views_staff.intake_view, name="intake"),
    path("<uuid:thread_id>/", views_staff.thread_view, name="thread"),
    path("<uuid:thread_id>/reply/", views_staff.reply_view, name="reply"),
    path("<uuid:thread_id>/note/", views_staff.note_view, name="note"),
    path("<uuid:thread_id>/status/", views_staff.status_view, name="status"),
    path("<uuid:thread_id>/urgency/", views_staff.urgency_view, name="urgency"),
    path("<uuid:thread_id>/assign/", views_staff.assign_view, name="assign"),
    path("<uuid:thread_id>/files/<uuid:attachment_id>/", views_staff.attachment_view, name="attachment"),
    path(
        "<uuid:thread_id>/files/<uuid:attachment_id>/remake/",
        views_staff.attachment_remake_view,
        name="attachment_remake",
    ),
]
