"""Staff URLs of the cases app: vetting pages (see views_vetting.py)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
