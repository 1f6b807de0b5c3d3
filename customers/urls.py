from django.urls import path

from customers import views

app_name = "customers"

urlpatterns = [
    path("sign-in/", views.sign_in, name="sign_in"),
    path("sign-out/", views.sign_out, name="sign_out"),
    path("register/", views.register, name="register"),
    path("register/code/", views.register_code, name="register_code"),
    path("register/code/resend/", views.register_resend, name="register_resend"),
    path("register/password/", views.register_password, name="register_password"),
    path("profile/", views.profile, name="profile"),
    path("messages/", views.messages_sent, name="messages"),
    path("profile/password/", views.password_change, name="password_change"),
    path("profile/email/", views.email_change, name="email_change"),
    path("profile/email/confirm/", views.email_confirm, name="email_confirm"),
    path("profile/phone/", views.phone_change, name="phone_change"),
    path("profile/phone/confirm/", views.phone_confirm, name="phone_confirm"),
    path("profile/phone/resend/<str:which>/", views.phone_resend, name="phone_resend"),
]
