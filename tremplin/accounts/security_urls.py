"""The account's security pages (namespace `security`, under /compte/)."""

from django.urls import path

from . import views

app_name = "security"
urlpatterns = [
    path("", views.account, name="account"),
    path("double-authentification/activation/", views.enrol, name="enrol"),
    path("double-authentification/verification/", views.verify, name="verify"),
    path("double-authentification/codes-de-secours/", views.recovery_codes, name="recovery_codes"),
    path(
        "double-authentification/codes-de-secours/nouveaux/",
        views.recovery_codes_new,
        name="recovery_codes_new",
    ),
    path("mot-de-passe/", views.PasswordChangeView.as_view(), name="password_change"),
    path("deconnexion-partout/", views.logout_everywhere, name="logout_everywhere"),
    path(
        "reinitialisation/<uidb64>/<token>/",
        views.password_reset_confirm,
        name="password_reset_confirm",
    ),
    path("reinitialisation/terminee/", views.password_reset_done, name="password_reset_done"),
    path("comptes/", views.users, name="users"),
    path("comptes/<int:pk>/lien-de-reinitialisation/", views.user_reset_link, name="reset_link"),
    path(
        "comptes/<int:pk>/double-authentification/",
        views.user_reset_two_factor,
        name="reset_two_factor",
    ),
    path("comptes/deblocage/", views.unlock, name="unlock"),
]
