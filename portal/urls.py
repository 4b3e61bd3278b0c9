from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, register_converter

from cases.errors import PositiveIntConverter
from portal.health import healthz

# Batch, case and record numbers in URLs: 1 to 9 ASCII digits (an overlong number is a 404, never a 500).
register_converter(PositiveIntConverter, "num")

handler400 = "cases.errors.bad_request"
handler404 = "cases.errors.not_found"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password_change/",
        auth_views.PasswordChangeView.as_view(template_name="accounts/password_change_form.html"),
        name="password_change",
    ),
    path(
        "accounts/password_change/done/",
        auth_views.PasswordChangeDoneView.as_view(template_name="accounts/password_change_done.html"),
        name="password_change_done",
    ),
    path("adoption/", include("cases.tracker.urls")),
    path("api/", include("cases.api.urls")),
    path("", include("cases.search.urls")),
    path("", include("cases.urls")),
]
