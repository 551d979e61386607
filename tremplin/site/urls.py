from django.urls import path

from . import imports_views, views

app_name = "site"
urlpatterns = [
    path("", views.home, name="home"),
    path("sources/", views.sources, name="sources"),
    path("accessibilite/", views.accessibility, name="accessibility"),
    path("donnees-personnelles/", views.privacy, name="privacy"),
    path("imports/", imports_views.import_page, name="import"),
    path(
        "imports/modeles/<slug:kind>.<str:fmt>",
        imports_views.import_template,
        name="import-template",
    ),
]
