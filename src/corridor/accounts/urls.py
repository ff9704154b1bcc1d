from django.urls import path

from corridor.accounts import views_account, views_admin, views_auth

app_name = "accounts"
urlpatterns = [
    path("login/", views_auth.login_view, name="login"),
    path("login/verify/", views_auth.verify_view, name="verify"),
    path("login/enrol/", views_auth.enrol_view, name="enrol"),
    path("login/key/options/", views_auth.webauthn_login_options_view, name="webauthn_login_options"),
    path("login/key/", views_auth.webauthn_login_view, name="webauthn_login"),
    path("logout/", views_auth.logout_view, name="logout"),
    path("reauth/", views_auth.reauth_view, name="reauth"),
    path("account/", views_account.account_view, name="account"),
    path("account/password/", views_account.password_change_view, name="password_change"),
    path("account/totp/add/", views_account.totp_add_view, name="totp_add"),
    path("account/totp/<int:device_id>/remove/", views_account.totp_remove_view, name="totp_remove"),
    path("account/keys/add/", views_account.webauthn_add_view, name="webauthn_add"),
    path("account/keys/options/", views_account.webauthn_options_view, name="webauthn_options"),
    path(
        "account/keys/<int:credential_id>/remove/", views_account.webauthn_remove_view, name="webauthn_remove"
    ),
    path("account/sessions/<uuid:session_id>/end/", views_account.session_end_view, name="session_end"),
    path("users/", views_admin.user_list_view, name="user_list"),
    path("users/new/", views_admin.user_create_view, name="user_create"),
    path("users/<uuid:user_id>/", views_admin.user_detail_view, name="user_detail"),
    path("users/<uuid:user_id>/roles/", views_admin.user_roles_view, name="user_roles"),
    path(
        "users/<uuid:user_id>/reset-password/",
        views_admin.user_reset_password_view,
        name="user_reset_password",
    ),
    path(
        "users/<uuid:user_id>/reset-factors/", views_admin.user_reset_factors_view, name="user_reset_factors"
    ),
    path("users/<uuid:user_id>/disable/", views_admin.user_disable_view, name="user_disable"),
    path("users/<uuid:user_id>/enable/", views_admin.user_enable_view, name="user_enable"),
    path("keys/", views_admin.key_grants_view, name="key_grants"),
    path("keys/<uuid:user_id>/<slug:kind>/grant/", views_admin.key_grant_view, name="key_grant"),
]
