from django.urls import path

from . import views

app_name = "regions"
urlpatterns = [
    path("", views.tree, name="tree"),
    path("map/", views.grid_map, name="map"),
    path("grids.geojson", views.grids_geojson, name="grids_geojson"),
    path("<str:code>/", views.detail, name="detail"),
    path("<str:code>/children/", views.children, name="children"),
]
