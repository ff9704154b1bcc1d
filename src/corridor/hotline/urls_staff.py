app_name = "hotline_staff"
urlpatterns: list[object] = []
