from django.urls import path, re_path

from . import downloads, views

app_name = "search"

urlpatterns = [
    path("cases/", views.case_list, name="case-list"),
    re_path(r"^cases/download\.(?P<fmt>xlsx|csv)$", downloads.case_download, name="case-download"),
    path("cases/download.docx", downloads.case_document_download, name="case-document-download"),
    re_path(r"^cases/metrics\.(?P<fmt>xlsx|csv)$", downloads.metric_download, name="metric-download"),
]
