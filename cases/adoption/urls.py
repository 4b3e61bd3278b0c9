from django.urls import path, re_path

from . import views

app_name = "adoption"

urlpatterns = [
    path("", views.matrix, name="matrix"),
    re_path(r"^matrix\.(?P<fmt>xlsx|csv)$", views.matrix_download, name="matrix-download"),
    path("rankings/", views.rankings, name="rankings"),
    path("cases/<int:batch>/<int:number>/", views.case_progress, name="case-progress"),
    path("regions/<slug:slug>/", views.region_page, name="region"),
    re_path(r"^cases/(?P<batch>\d+)/(?P<number>\d+)/(?P<kind>region|agency)/(?P<slug>[-\w]+)/edit/$",
            views.report_edit, name="report-edit"),
    path("reports/<int:pk>/", views.report_detail, name="report-detail"),
    path("reports/<int:pk>/comment/", views.report_comment, name="report-comment"),
    path("reports/<int:pk>/review/", views.report_review, name="report-review"),
    path("evidence/<int:pk>/", views.evidence_file, name="evidence-file"),
]
