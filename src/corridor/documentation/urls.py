"""Staff URLs of documentation."""

app_name = "documentation"
urlpatterns: list = []
