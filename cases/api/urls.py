from django.urls import path

from . import views

app_name = "api"

urlpatterns = [
    path("cases/", views.api_case_list, name="case-list"),
    path("cases/<num:batch>/<num:number>/", views.api_case_detail, name="case-detail"),
]
