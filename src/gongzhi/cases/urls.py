"""URLs of the cases UI under /cases/ (the REST API lives in api.py under /api/v1/cases)."""

from django.urls import path

from . import views, views_catalog, views_rates

app_name = "cases"
urlpatterns = [
    path("report/", views.report, name="report"),
    path("report/outlines.geojson", views.report_outlines, name="report_outlines"),
    path("mine/", views.mine, name="mine"),
    path("lookup/", views.lookup, name="lookup"),
    path("proxy/", views.proxy, name="proxy"),
    path("workbench/", views.workbench, name="workbench"),
    path("inbox/", views.inbox, name="inbox"),
    path("board/", views.board, name="board"),
    path("follow-up/", views.follow_up, name="follow_up"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/count/", views.notification_count, name="notification_count"),
    path("rates/", views_rates.rates, name="rates"),
    path("rates/assessment/", views_rates.assessment, name="rates_assessment"),
    path("rates/assessment.csv", views_rates.assessment_csv, name="rates_assessment_csv"),
    path("catalog/", views_catalog.categories, name="catalog"),
    path("catalog/categories/", views_catalog.categories, name="catalog_categories"),
    path("catalog/categories/import/", views_catalog.category_import, name="catalog_category_import"),
    path("catalog/categories/<int:pk>/edit/", views_catalog.category_edit, name="catalog_category_edit"),
    path("catalog/duty-rules/", views_catalog.duty_rules, name="catalog_duty_rules"),
    path("catalog/duty-rules/<int:pk>/edit/", views_catalog.duty_rule_edit, name="catalog_duty_rule_edit"),
    path(
        "catalog/duty-rules/<int:pk>/deactivate/",
        views_catalog.duty_rule_deactivate,
        name="catalog_duty_rule_deactivate",
    ),
    path(
        "catalog/duty-rules/<int:pk>/history/",
        views_catalog.duty_rule_history,
        name="catalog_duty_rule_history",
    ),
    path("catalog/calendar/", views_catalog.calendar, name="catalog_calendar"),
    path("catalog/calendar/seed/", views_catalog.calendar_seed, name="catalog_calendar_seed"),
    path("<int:pk>/detail/", views.detail, name="detail"),
    path("<int:pk>/actions/", views.actions_fragment, name="actions"),
    path("<int:pk>/timeline/", views.timeline_fragment, name="timeline"),
    path("<int:pk>/actions/<slug:action>/", views.case_action, name="action"),
    path("<int:pk>/reply-check/", views.reply_check, name="reply_check"),
    path("<int:pk>/reporter-phone/", views.reporter_phone, name="reporter_phone"),
    path("<str:number>/", views.progress, name="progress"),
]
