from django.urls import path, register_converter

from . import views


class YearConverter:
    regex = r"\d{4}-\d{4}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(YearConverter, "year")

app_name = "catalog"
urlpatterns = [
    path("", views.index, name="index"),
    path("secteurs/nouveau/", views.sector_create, name="sector_create"),
    path("editions/nouvelle/", views.edition_create, name="edition_create"),
    path("ue/", views.unit_list, name="units"),
    path("ue/nouvelle/", views.unit_edit, name="unit_create"),
    path("ue/<str:code>/", views.unit_detail, name="unit"),
    path("ue/<str:code>/modifier/", views.unit_edit, name="unit_edit"),
    path("formations/", views.formation_list, name="formations"),
    path("formations/nouvelle/", views.formation_edit, name="formation_create"),
    path("formations/<str:code>/", views.formation_detail, name="formation"),
    path("formations/<str:code>/modifier/", views.formation_edit, name="formation_edit"),
    path("<year:year>/", views.edition, name="edition"),
    path("<year:year>/catalogue.pdf", views.edition_pdf, name="edition_pdf"),
    path("<year:year>/offre-lheo.xml", views.edition_lheo_view, name="edition_lheo"),
    path("<year:year>/modifier/", views.edition_edit, name="edition_edit"),
    path("<year:year>/offres/", views.edition_add_offers, name="edition_add_offers"),
    path(
        "<year:year>/offres/<str:kind>/<int:pk>/retirer/",
        views.edition_withdraw_offer,
        name="edition_withdraw_offer",
    ),
    path("<year:year>/publier/", views.edition_publish, name="edition_publish"),
    path("<year:year>/copier/", views.edition_copy, name="edition_copy"),
]
