from django.urls import path

from consent import views

app_name = "consent"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("data/<slug:slug>/", views.category, name="category"),
    path("notice/", views.notice, name="notice"),
    path("export.json", views.export, name="export"),
    path("clear/", views.clear, name="clear"),
    path("delete/", views.delete_account, name="delete"),
    path("receipt/", views.receipt, name="receipt"),
    path("consents/", views.consent_toggle, name="consent-toggle"),
    path("pause/", views.pause, name="pause"),
    path("review/", views.review, name="review"),
    path("items/<str:model>/<int:pk>/delete/", views.delete_item, name="delete-item"),
]
