"""URLs of the intelligence UI under /intelligence/ (the REST API: api.py, /api/v1/intelligence/)."""

from django.urls import path

from . import views

app_name = "intelligence"
urlpatterns = [
    path("models/", views.model_list, name="models"),
    path("models/<slug:kind>/<int:version>/activate/", views.model_activate, name="activate"),
    path("models/<slug:kind>/rollback/", views.model_rollback, name="rollback"),
    path("models/<slug:kind>/retrain/", views.model_retrain, name="retrain"),
]
