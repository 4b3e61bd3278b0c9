from django.urls import path, re_path

from . import compare, downloads, feeds, views

app_name = "cases"

urlpatterns = [
    path("", views.home, name="home"),
    path("cases/<num:batch>/<num:number>/", views.case_detail, name="case-detail"),
    path("cases/<num:batch>/<num:number>/document.docx", views.case_document, name="case-document"),
    path("cases/compare/", compare.compare, name="compare"),
    path("cases/compare/document.docx", compare.compare_document, name="compare-document"),
    re_path(r"^agencies/download\.(?P<fmt>xlsx|csv)$", downloads.agency_download, name="agency-download"),
    re_path(
        r"^responsibilities/download\.(?P<fmt>xlsx|csv|docx)$",
        downloads.responsibility_download,
        name="responsibility-download",
    ),
    path("agencies/", views.agency_list, name="agency-list"),
    path("agencies/<slug:slug>/", views.agency_detail, name="agency-detail"),
    path("responsibilities/", views.responsibility_list, name="responsibility-list"),
    path("notices/<num:batch>/", views.notice_detail, name="notice-detail"),
    path("notices/<num:batch>/files/<num:pk>/", views.notice_file, name="notice-file"),
    path("feeds/cases.atom", feeds.new_cases, name="feed"),
]
