from django.urls import path

from . import views

app_name = "documents"

urlpatterns = [
    path("liens/", views.feed_links_view, name="feed_links"),
    path("liens/<int:pk>/revoquer/", views.feed_revoke_view, name="feed_revoke"),
    path("flux/<str:token>.ics", views.feed_view, name="feed"),
]
