"""URLs of the cases UI under /cases/ (the REST API lives in api.py under /api/v1/cases)."""

from django.urls import path

from . import views

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
    path("<int:pk>/detail/", views.detail, name="detail"),
    path("<int:pk>/actions/", views.actions_fragment, name="actions"),
    path("<int:pk>/timeline/", views.timeline_fragment, name="timeline"),
    path("<int:pk>/actions/<slug:action>/", views.case_action, name="action"),
    path("<int:pk>/reply-check/", views.reply_check, name="reply_check"),
    path("<int:pk>/reporter-phone/", views.reporter_phone, name="reporter_phone"),
    path("<str:number>/", views.progress, name="progress"),
]
