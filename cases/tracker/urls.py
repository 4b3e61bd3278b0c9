from django.urls import path, re_path

from . import bulletins, feeds, plan_views, supervision, views

app_name = "adoption"

urlpatterns = [
    path("", views.matrix, name="matrix"),
    re_path(r"^matrix\.(?P<fmt>xlsx|csv)$", views.matrix_download, name="matrix-download"),
    path("rankings/", views.rankings, name="rankings"),
    path("overdue/", supervision.overdue_list, name="overdue"),
    path("bulletins/", bulletins.bulletin_list, name="bulletins"),
    path("bulletins/<num:pk>/", bulletins.bulletin_page, name="bulletin"),
    path("bulletins/<num:pk>/document.docx", bulletins.bulletin_document, name="bulletin-document"),
    re_path(r"^overdue\.(?P<fmt>xlsx|csv)$", supervision.overdue_download, name="overdue-download"),
    path("mine/", views.my_unit, name="mine"),
    path("mail/", views.mail_preferences, name="mail"),
    path("cases/<num:batch>/<num:number>/", views.case_progress, name="case-progress"),
    path("cases/<num:batch>/<num:number>/plan/", plan_views.plan_page, name="plan"),
    re_path(
        r"^cases/(?P<batch>[0-9]{1,9})/(?P<number>[0-9]{1,9})/plan/(?P<slug>[-a-zA-Z0-9_]+)/edit/$",
        plan_views.plan_edit,
        name="plan-edit",
    ),
    path("plans/<num:pk>/decide/", plan_views.plan_decide, name="plan-decide"),
    path("regions/<slug:slug>/", views.region_page, name="region"),
    path("regions/<slug:slug>/feed.atom", feeds.region_feed, name="region-feed"),
    re_path(
        r"^cases/(?P<batch>[0-9]{1,9})/(?P<number>[0-9]{1,9})/(?P<kind>region|agency)/(?P<slug>[-a-zA-Z0-9_]+)/edit/$",
        views.report_edit,
        name="report-edit",
    ),
    path("reports/<num:pk>/", views.report_detail, name="report-detail"),
    path("reports/<num:pk>/comment/", views.report_comment, name="report-comment"),
    path("reports/<num:pk>/answer/", views.report_answer, name="report-answer"),
    path("reports/<num:pk>/review/", views.report_review, name="report-review"),
    path("evidence/<num:pk>/", views.evidence_file, name="evidence-file"),
]
