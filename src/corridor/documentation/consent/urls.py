"""Staff URLs of consent and exports (under the documentation pages)."""

from django.urls import path

from corridor.documentation.consent import views

app_name = "consent"
urlpatterns = [
    path("persons/<uuid:person_id>/", views.person, name="person"),
    path("persons/<uuid:person_id>/record/", views.person_record, name="person_record"),
    path("statements/<uuid:information_id>/", views.statement, name="statement"),
    path("statements/<uuid:information_id>/record/", views.statement_record, name="statement_record"),
    path("<uuid:consent_id>/withdraw/", views.withdraw, name="withdraw"),
    path("export/", views.export, name="export"),
]
