from django.urls import path, re_path

from . import api, downloads, views

app_name = "cases"

urlpatterns = [
    path("", views.home, name="home"),
    path("cases/", views.case_list, name="case-list"),
    path("cases/<num:batch>/<num:number>/", views.case_detail, name="case-detail"),
    re_path(r"^cases/download\.(?P<fmt>xlsx|csv)$", downloads.case_download, name="case-download"),
    re_path(r"^cases/metrics\.(?P<fmt>xlsx|csv)$", downloads.metric_download, name="metric-download"),
    re_path(r"^agencies/download\.(?P<fmt>xlsx|csv)$", downloads.agency_download, name="agency-download"),
    re_path(r"^responsibilities/download\.(?P<fmt>xlsx|csv)$", downloads.responsibility_download,
            name="responsibility-download"),
    path("agencies/", views.agency_list, name="agency-list"),
    path("agencies/<slug:slug>/", views.agency_detail, name="agency-detail"),
    path("responsibilities/", views.responsibility_list, name="responsibility-list"),
    path("notices/<num:batch>/", views.notice_detail, name="notice-detail"),
    path("api/cases/", api.api_case_list, name="api-case-list"),
    path("api/cases/<num:batch>/<num:number>/", api.api_case_detail, name="api-case-detail"),
]
