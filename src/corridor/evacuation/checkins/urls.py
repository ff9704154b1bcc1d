"""Staff URLs of check-ins."""

app_name = "checkins"
urlpatterns: list = []
