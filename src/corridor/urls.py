from django.urls import include, path
from django.views.generic.base import RedirectView
from django.views.i18n import set_language

from corridor.web import views as web_views

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="web:home", permanent=False)),
    path("staff/", include(([path("", web_views.home_view, name="home")], "web"))),
    path("staff/", include("corridor.accounts.urls")),
    path("staff/audit/", include("corridor.audit.urls")),
    path("language/", set_language, name="set_language"),
]

handler400 = "corridor.web.views.bad_request"
handler403 = "corridor.web.views.permission_denied"
handler404 = "corridor.web.views.page_not_found"
handler500 = "corridor.web.views.server_error"
