"""Staff URLs of relocation, under /staff/evacuation/relocation/."""

from django.urls import path

from corridor.evacuation.relocation import views as v

app_name = "relocation"
urlpatterns = [
    path("partners/", v.partners_view, name="partners"),
    path("partners/add/", v.partner_add_view, name="partner_add"),
    path("partners/<uuid:partner_id>/deactivate/", v.partner_deactivate_view, name="partner_deactivate"),
    path("cases/<uuid:case_id>/pathways/", v.pathway_add_view, name="pathway_add"),
    path("cases/<uuid:case_id>/pathways/milestones/", v.milestone_add_view, name="milestone_add"),
    path("cases/<uuid:case_id>/pathways/close/", v.pathway_close_view, name="pathway_close"),
    path("cases/<uuid:case_id>/consents/", v.consent_add_view, name="consent_add"),
    path("cases/<uuid:case_id>/consents/withdraw/", v.consent_withdraw_view, name="consent_withdraw"),
    path("cases/<uuid:case_id>/referrals/", v.referral_request_view, name="referral_request"),
    path("cases/<uuid:case_id>/referrals/sign/", v.referral_sign_view, name="referral_sign"),
    path(
        "cases/<uuid:case_id>/referrals/<uuid:referral_id>/packet/",
        v.referral_download_view,
        name="referral_download",
    ),
]
