"""Staff URLs of documentation."""

from django.urls import path

from corridor.documentation import views, views_corrections, views_persons

app_name = "documentation"
urlpatterns = [
    path("", views.events, name="events"),
    path("events/new/", views.event_new, name="event_new"),
    path("events/<uuid:event_id>/", views.event, name="event"),
    path("events/<uuid:event_id>/acts/new/", views.act_add, name="act_add"),
    path("events/<uuid:event_id>/links/", views.event_link, name="event_link"),
    path("events/<uuid:event_id>/perpetrators/", views.perpetrator_add, name="perpetrator_add"),
    path("collections/", views.collections, name="collections"),
    path("collections/new/", views.collection_new, name="collection_new"),
    path("collections/<uuid:collection_id>/grant/", views.collection_grant, name="collection_grant"),
    path(
        "collections/<uuid:collection_id>/holders/<uuid:user_id>/revoke/",
        views.collection_revoke,
        name="collection_revoke",
    ),
    path("sites/", views.sites, name="sites"),
    path("sites/new/", views.site_new, name="site_new"),
]
urlpatterns += [
    path("persons/", views_persons.person_list, name="persons"),
    path("persons/new/", views_persons.person_new, name="person_new"),
    path("persons/<uuid:person_id>/", views_persons.person, name="person"),
    path(
        "persons/<uuid:person_id>/matches/<uuid:match_id>/", views_persons.match_decide, name="match_decide"
    ),
    path("sources/new/", views_persons.source_new, name="source_new"),
    path("events/<uuid:event_id>/information/", views_persons.information_add, name="information_add"),
    path("events/<uuid:event_id>/interventions/", views_persons.intervention_add, name="intervention_add"),
    path("events/<uuid:event_id>/responses/", views_persons.response_record, name="response_record"),
    path("events/<uuid:event_id>/correct/", views_persons.event_correct, name="event_correct"),
    path("events/<uuid:event_id>/acts/<uuid:act_id>/correct/", views_persons.act_correct, name="act_correct"),
    path("events/<uuid:event_id>/case-copies/", views_persons.event_copies, name="event_copies"),
    path("persons/<uuid:person_id>/case/", views_persons.person_case, name="person_case"),
]
urlpatterns += [
    path("persons/<uuid:person_id>/correct/", views_corrections.person_correct, name="person_correct"),
    path(
        "events/<uuid:event_id>/information/<uuid:information_id>/correct/",
        views_corrections.information_correct,
        name="information_correct",
    ),
    path(
        "events/<uuid:event_id>/interventions/<uuid:intervention_id>/correct/",
        views_corrections.intervention_correct,
        name="intervention_correct",
    ),
]
