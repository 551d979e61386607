from django.contrib.auth import views as auth_views
from django.urls import path

from .forms import LoginForm
from .middleware import two_factor_not_required

app_name = "accounts"
urlpatterns = [
    path(
        "connexion/",
        auth_views.LoginView.as_view(
            authentication_form=LoginForm,
            redirect_authenticated_user=True,
            extra_context={"title": "Connexion"},
        ),
        name="login",
    ),
    path(
        "deconnexion/",
        two_factor_not_required(auth_views.LogoutView.as_view()),
        name="logout",
    ),
]
