"""Staff URLs of the cases app, under /staff/cases/; one module per area of pages."""

from corridor.cases import urls_case, urls_lists, urls_tasks, urls_vetting

app_name = "cases"
urlpatterns = [
    *urls_lists.urlpatterns,
    *urls_case.urlpatterns,
    *urls_vetting.urlpatterns,
    *urls_tasks.urlpatterns,
]
