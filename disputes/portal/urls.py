from django.urls import path

from disputes.portal import views

app_name = "claims"

urlpatterns = [
    path("", views.claim_list, name="list"),
    path("new/<int:card_id>/", views.claim_start, name="start"),
    path("<int:case_id>/", views.claim_detail, name="detail"),
    path("<int:case_id>/step/<slug:step>/", views.claim_step, name="step"),
    path("<int:case_id>/submitted/", views.claim_submitted, name="submitted"),
    path("<int:case_id>/documents/", views.claim_documents, name="documents"),
    path("<int:case_id>/documents/<int:evidence_id>/", views.evidence_download, name="evidence"),
    path("<int:case_id>/withdraw/", views.claim_withdraw, name="withdraw"),
    path("<int:case_id>/block-card/", views.claim_block_card, name="block_card"),
    path("<int:case_id>/respond/", views.claim_respond, name="respond"),
    path("<int:case_id>/delivery/", views.claim_delivery, name="delivery"),
]
