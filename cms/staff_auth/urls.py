"""The second-factor steps, at /admin/second-factor/ (cms/config/urls.py, before Wagtail's admin)."""

from django.urls import path

from cms.staff_auth import views

app_name = "staff_auth"

urlpatterns = [
    path("", views.verify, name="verify"),
    path("enrol/", views.enrol, name="enrol"),
    path("mine/", views.own_second_factor, name="mine"),
]
