from django.urls import path

from . import views

app_name = "catalog"

urlpatterns = [
    path("gestion/formations/nouvelle/", views.course_create_view, name="course_create"),
    path("gestion/formations/<int:pk>/modifier/", views.course_edit_view, name="course_edit"),
    path("gestion/formations/<int:pk>/publier/", views.course_publish_view, name="course_publish"),
    path(
        "gestion/formations/<int:pk>/dupliquer/",
        views.course_duplicate_view,
        name="course_duplicate",
    ),
    path("gestion/programmes/", views.programme_list_view, name="programme_list"),
    path("gestion/programmes/nouveau/", views.programme_create_view, name="programme_create"),
    path(
        "gestion/programmes/<int:pk>/modifier/",
        views.programme_edit_view,
        name="programme_edit",
    ),
    path("gestion/themes/", views.theme_list_view, name="theme_list"),
]
