"""Staff URLs of the cases app: lists pages (see views_lists.py)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
