from django.urls import path

from . import views

app_name = "orientation"
urlpatterns = [
    path("", views.referral_list, name="referrals"),
    path("statistiques/", views.statistics, name="statistics"),
    path("statistiques/export/<str:fmt>/", views.statistics_export, name="statistics_export"),
    path("jeunes/", views.young_people, name="young_people"),
    path("jeunes/nouveau/", views.young_person_create, name="young_person_create"),
    path("jeunes/<int:pk>/", views.young_person, name="young_person"),
    path("jeunes/<int:pk>/coordonnees/", views.young_person_contact, name="young_person_contact"),
    path("jeunes/<int:pk>/orienter/", views.referral_send, name="referral_send"),
    path("<int:pk>/", views.referral_detail, name="referral"),
    path("<int:pk>/<str:move>/", views.referral_move, name="referral_move"),
]
