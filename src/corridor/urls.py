from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path
from django.views.i18n import set_language

from corridor.hotline.views_public import root_view
from corridor.web import views as web_views

urlpatterns = [
    path("", root_view, name="root"),
    path("staff/", include(([path("", web_views.home_view, name="home")], "web"))),
    path("staff/", include("corridor.accounts.urls")),
    path("staff/audit/", include("corridor.audit.urls")),
    path("staff/hotline/", include("corridor.hotline.urls_staff")),
    path("staff/cases/", include("corridor.cases.urls")),
    path("staff/evacuation/check-ins/", include("corridor.evacuation.checkins.urls")),
    path("staff/evacuation/relocation/", include("corridor.evacuation.relocation.urls")),
    path("staff/evacuation/money/", include("corridor.evacuation.money.urls")),
    path("staff/evacuation/", include("corridor.evacuation.urls")),
    path("staff/documentation/consent/", include("corridor.documentation.consent.urls")),
    path("staff/documentation/evidence/", include("corridor.documentation.evidence.urls")),
    path("staff/documentation/", include("corridor.documentation.urls")),
    path("language/", set_language, name="set_language"),
]
# The applicant's pages carry their language in the address (/ru/, /en/), so choosing
# one needs no cookie.
urlpatterns += i18n_patterns(path("", include("corridor.hotline.urls_public")), prefix_default_language=True)

handler400 = "corridor.web.views.bad_request"
handler403 = "corridor.web.views.permission_denied"
handler404 = "corridor.web.views.page_not_found"
handler500 = "corridor.web.views.server_error"
