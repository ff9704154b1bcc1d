"""Staff URLs of the cases app: tasks pages (see views_tasks.py)."""

from django.urls import URLPattern, path

from corridor.cases import views_tasks as v

urlpatterns: list[URLPattern] = [
    path("tasks/", v.tasks_view, name="tasks"),
    path("<uuid:case_id>/tasks/add/", v.task_add_view, name="task_add"),
    path("tasks/<uuid:task_id>/done/", v.task_done_view, name="task_done"),
]
