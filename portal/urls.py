from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "营商环境示范案例库 · 编辑后台"
admin.site.site_title = "示范案例库后台"
admin.site.index_title = "内容管理"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("cases.urls")),
]
