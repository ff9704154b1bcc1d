"""Staff URLs of the cases app: tasks pages (see views_tasks.py)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
