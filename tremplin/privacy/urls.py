from django.urls import path

from . import views

app_name = "privacy"
urlpatterns = [
    path("<int:pk>/", views.subject, name="subject"),
    path("<int:pk>/donnees.json", views.export_json, name="export_json"),
    path("<int:pk>/donnees.pdf", views.export_pdf, name="export_pdf"),
    path("<int:pk>/effacer/", views.erase, name="erase"),
]
