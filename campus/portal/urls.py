from django.urls import path

from . import views

app_name = "portal"

urlpatterns = [
    path("", views.home_view, name="home"),
    path("catalogue/", views.catalogue_view, name="catalogue"),
    path("catalogue/formations/<slug:slug>/", views.course_detail_view, name="course_detail"),
    path("catalogue/gestion/", views.catalogue_manage_view, name="catalogue_manage"),
]
