"""URLs of the insights UI under /insights/ (the REST API lives in api.py under /api/v1/insights/)."""

from django.urls import path

from . import views

app_name = "insights"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("alerts/<int:pk>/", views.alert_detail, name="alert"),
    path("alerts/<int:pk>/<slug:action>/", views.alert_action, name="alert_action"),
    path("hotspots/", views.hotspots, name="hotspots"),
    path("hotspots/proactive/", views.hotspot_proactive, name="proactive"),
    path("monthly/", views.monthly_problems, name="monthly"),
    path("monthly/<int:pk>/status/", views.monthly_problem_status, name="monthly_status"),
]
