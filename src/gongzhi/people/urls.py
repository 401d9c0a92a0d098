from django.urls import path

from . import views

app_name = "people"
urlpatterns = [
    path("", views.resident_list, name="residents"),
    path("residents/new/", views.resident_create, name="resident_create"),
    path("residents/<int:pk>/", views.resident_detail, name="resident_detail"),
    path("residents/<int:pk>/edit/", views.resident_edit, name="resident_edit"),
    path("residents/<int:pk>/status/", views.resident_status, name="resident_status"),
    path("residents/<int:pk>/tags/", views.resident_tags, name="resident_tags"),
    path("residents/<int:pk>/reveal/<str:field>/", views.resident_reveal, name="resident_reveal"),
    path("households/", views.household_list, name="households"),
    path("households/<int:pk>/", views.household_detail, name="household_detail"),
    path("households/<int:pk>/head/", views.household_head, name="household_head"),
    path("organisations/", views.organisation_list, name="organisations"),
    path("organisations/<int:pk>/", views.organisation_detail, name="organisation_detail"),
    path("organisations/<int:pk>/reveal/", views.organisation_reveal, name="organisation_reveal"),
    path("tags/", views.tag_list, name="tags"),
    path("tags/<int:pk>/", views.tag_edit, name="tag_edit"),
    path("import/", views.import_view, name="import"),
    path("export/<str:kind>.xlsx", views.export_view, name="export"),
]
