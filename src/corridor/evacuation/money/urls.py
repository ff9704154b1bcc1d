"""Staff URLs of money."""

app_name = "money"
urlpatterns: list = []
