"""Staff URLs of documentation."""

from django.urls import path

from corridor.documentation import views

app_name = "documentation"
urlpatterns = [
    path("", views.events, name="events"),
    path("events/new/", views.event_new, name="event_new"),
    path("events/<uuid:event_id>/", views.event, name="event"),
    path("events/<uuid:event_id>/acts/new/", views.act_add, name="act_add"),
    path("events/<uuid:event_id>/links/", views.event_link, name="event_link"),
    path("acts/<uuid:act_id>/perpetrators/", views.perpetrator_add, name="perpetrator_add"),
    path("collections/", views.collections, name="collections"),
    path("collections/new/", views.collection_new, name="collection_new"),
    path("collections/<uuid:collection_id>/grant/", views.collection_grant, name="collection_grant"),
    path("sites/", views.sites, name="sites"),
    path("sites/new/", views.site_new, name="site_new"),
]
