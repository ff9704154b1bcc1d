"""Staff URLs of evidence."""

from django.urls import path

from corridor.documentation.evidence import views

app_name = "evidence"
urlpatterns = [
    path("events/<uuid:event_id>/upload/", views.upload, name="upload"),
    path("events/<uuid:event_id>/hotline/", views.hotline, name="hotline"),
    path("events/<uuid:event_id>/hotline/take/", views.hotline_promote, name="hotline_promote"),
    path("<uuid:item_id>/", views.item, name="item"),
    path("<uuid:item_id>/view/", views.view_file, name="view"),
    path("<uuid:item_id>/download/", views.download, name="download"),
    path("<uuid:item_id>/strip/", views.strip, name="strip"),
    path("<uuid:item_id>/redacted/", views.redacted, name="redacted"),
]
