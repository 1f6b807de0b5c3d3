from django.urls import path

from cards import views

app_name = "cards"

urlpatterns = [
    path("", views.card_list, name="list"),
    path("<int:card_id>/", views.card_detail, name="detail"),
    path("<int:card_id>/activate/", views.card_activate, name="activate"),
    path("<int:card_id>/pin/", views.card_pin, name="pin"),
    path("<int:card_id>/block/", views.card_block, name="block"),
    path("<int:card_id>/unblock/", views.card_unblock, name="unblock"),
    path("<int:card_id>/cancel/", views.card_cancel, name="cancel"),
    path("<int:card_id>/cancelled/", views.card_cancelled, name="cancelled"),
    path("<int:card_id>/replacement/", views.card_replacement, name="replacement"),
    path("<int:card_id>/confirm/<int:challenge_id>/", views.card_confirm, name="confirm"),
    path(
        "<int:card_id>/confirm/<int:challenge_id>/resend/", views.card_confirm_resend, name="confirm_resend"
    ),
    path("<int:card_id>/controls/", views.card_controls, name="controls"),
    path("<int:card_id>/limits/", views.card_limits, name="limits"),
    path("<int:card_id>/3ds/", views.card_3ds, name="three_ds"),
    path("<int:card_id>/mobile-payments/", views.card_mobile_payments, name="mobile_payments"),
    # Before the device actions: "add" and "confirm" are not among them.
    path("<int:card_id>/devices/add/", views.card_add_device, name="add_device"),
    path(
        "<int:card_id>/devices/<int:token_id>/confirm/",
        views.wallet_token_confirm,
        name="wallet_token_confirm",
    ),
    path(
        "<int:card_id>/devices/<int:token_id>/<slug:action>/",
        views.wallet_token_action,
        name="wallet_token_action",
    ),
    path("<int:card_id>/transactions/", views.card_transactions, name="transactions"),
]
