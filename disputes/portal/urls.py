from django.urls import path

from disputes.portal import claim_views, views

app_name = "claims"

urlpatterns = [
    path("", claim_views.claim_list, name="list"),
    path("new/<int:card_id>/", views.claim_start, name="start"),
    path("<int:case_id>/", claim_views.claim_detail, name="detail"),
    path("<int:case_id>/step/<slug:step>/", views.claim_step, name="step"),
    path("<int:case_id>/submitted/", views.claim_submitted, name="submitted"),
    path("<int:case_id>/documents/", claim_views.claim_documents, name="documents"),
    path("<int:case_id>/documents/<int:evidence_id>/", claim_views.evidence_download, name="evidence"),
    path("<int:case_id>/withdraw/", claim_views.claim_withdraw, name="withdraw"),
    path("<int:case_id>/block-card/", views.claim_block_card, name="block_card"),
    path("<int:case_id>/respond/", claim_views.claim_respond, name="respond"),
    path("<int:case_id>/delivery/", claim_views.claim_delivery, name="delivery"),
]
