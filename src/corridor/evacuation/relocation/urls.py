"""Staff URLs of relocation."""

app_name = "relocation"
urlpatterns: list = []
