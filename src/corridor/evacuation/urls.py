"""Staff URLs of evacuation."""

app_name = "evacuation"
urlpatterns: list = []
