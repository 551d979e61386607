from django.urls import path

from . import views

app_name = "sync"
urlpatterns = [
    path("copies/", views.sites, name="sites"),
    path("copies/import/", views.site_import, name="site_import"),
    path("copies/<slug:code>/", views.site_detail, name="site"),
    path("copies/<slug:code>/fichier/", views.site_file, name="site_file"),
    path("copies/<slug:code>/envoi/", views.site_export, name="site_export"),
    path("copies/<slug:code>/revoquer/", views.site_revoke, name="site_revoke"),
    path("copies/<slug:code>/conflits/", views.conflicts_reviewed, name="conflicts_reviewed"),
    path("synchronisation/", views.copy_page, name="copy"),
    path("synchronisation/envoi/", views.copy_export, name="copy_export"),
    path("synchronisation/import/", views.copy_import, name="copy_import"),
]
