"""Staff URLs of the cases app: case pages (see views_case.py)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
