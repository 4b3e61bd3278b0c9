from django.urls import path

from . import api, views

app_name = "cases"

urlpatterns = [
    path("", views.home, name="home"),
    path("cases/", views.case_list, name="case-list"),
    path("cases/<int:batch>/<int:number>/", views.case_detail, name="case-detail"),
    path("agencies/", views.agency_list, name="agency-list"),
    path("agencies/<slug:slug>/", views.agency_detail, name="agency-detail"),
    path("responsibilities/", views.responsibility_list, name="responsibility-list"),
    path("notices/<int:batch>/", views.notice_detail, name="notice-detail"),
    path("api/cases/", api.api_case_list, name="api-case-list"),
    path("api/cases/<int:batch>/<int:number>/", api.api_case_detail, name="api-case-detail"),
]
