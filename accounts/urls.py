from django.urls import path

from accounts import views, views_keys, views_preferences, views_reset, views_second_factor, views_sso

app_name = "accounts"

urlpatterns = [
    path("login/", views.SignInView.as_view(), name="login"),
    path("login/two-factor/", views_second_factor.SecondFactorSignInView.as_view(), name="second_factor_sign_in"),
    path("login/sso/<str:provider_id>/", views_sso.SsoStartView.as_view(), name="sso_start"),
    path("logout/", views.SignOutView.as_view(), name="logout"),
    path("setup/", views.SetupView.as_view(), name="setup"),
    path("account/", views.AccountView.as_view(), name="account"),
    path("account/theme/", views_preferences.ThemeView.as_view(), name="theme"),
    path("account/language/", views_preferences.LanguageView.as_view(), name="language"),
    path("account/two-factor/", views_second_factor.SecondFactorManageView.as_view(), name="second_factor"),
    path("account/keys/new/", views_keys.ApiKeyCreateView.as_view(), name="api_key_new"),
    path("account/keys/<str:public_id>/revoke/", views_keys.ApiKeyRevokeView.as_view(), name="api_key_revoke"),
    path("invite/<str:code>/", views.InviteClaimView.as_view(), name="invite"),
    path("reset/", views_reset.PasswordResetRequestView.as_view(), name="password_reset_request"),
    path("reset/set-password/", views_reset.PasswordResetSetView.as_view(), name="password_reset_set"),
    path("reset/<str:token>/", views_reset.PasswordResetLinkView.as_view(), name="password_reset"),
]
