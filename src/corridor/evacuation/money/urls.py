"""Staff URLs of money."""

from django.urls import path

from corridor.evacuation.money import views

app_name = "money"
urlpatterns = [
    path("", views.expenses_view, name="expenses"),
    path("cases/<uuid:case_id>/expenses/", views.expense_add_view, name="expense_add"),
    path("expenses/<uuid:expense_id>/receipt/", views.receipt_view, name="receipt"),
    path("lines/", views.lines_view, name="lines"),
    path("lines/new/", views.line_add_view, name="line_add"),
    path("lines/<uuid:line_id>/close/", views.line_close_view, name="line_close"),
    path("report/", views.report_view, name="report"),
    path("report.csv", views.report_csv_view, name="report_csv"),
]
