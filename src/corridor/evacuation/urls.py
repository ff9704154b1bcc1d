"""Staff URLs of evacuation."""

from django.urls import path

from corridor.evacuation import views_case, views_houses

app_name = "evacuation"
urlpatterns = [
    path("", views_houses.home_view, name="home"),
    path("houses/", views_houses.board_view, name="board"),
    path("houses/new/", views_houses.house_new_view, name="house_new"),
    path("houses/<uuid:house_id>/", views_houses.house_view, name="house"),
    path("houses/<uuid:house_id>/edit/", views_houses.house_edit_view, name="house_edit"),
    path("houses/<uuid:house_id>/grant/", views_houses.house_grant_view, name="house_grant"),
    path("houses/<uuid:house_id>/revoke/", views_houses.house_revoke_view, name="house_revoke"),
    path("houses/<uuid:house_id>/compromised/", views_houses.house_compromise_view, name="house_compromise"),
    path("cases/<uuid:case_id>/", views_case.case_evacuation_view, name="case"),
    path("cases/<uuid:case_id>/place/", views_case.place_view, name="place"),
    path("stays/<uuid:placement_id>/end/", views_case.placement_end_view, name="placement_end"),
    path("cases/<uuid:case_id>/legs/", views_case.movement_plan_view, name="movement_plan"),
    path("legs/<uuid:movement_id>/status/", views_case.movement_status_view, name="movement_status"),
    path("cases/<uuid:case_id>/exposures/", views_case.exposure_add_view, name="exposure_add"),
    path("cases/<uuid:case_id>/phone-seized/", views_case.phone_seized_view, name="phone_seized"),
    path("cases/<uuid:case_id>/phone-cleared/", views_case.phone_cleared_view, name="phone_cleared"),
    path("cases/<uuid:case_id>/burn/", views_case.burn_view, name="burn"),
    path("cases/<uuid:case_id>/burn/propose/", views_case.burn_propose_view, name="burn_propose"),
]
