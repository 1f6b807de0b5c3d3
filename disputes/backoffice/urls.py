from django.urls import path

from disputes.backoffice import views

app_name = "backoffice"

urlpatterns = [
    path("", views.home, name="home"),
    path("sign-in/", views.sign_in, name="sign_in"),
    path("sign-in/code/", views.sign_in_code, name="sign_in_code"),
    path("sign-out/", views.sign_out, name="sign_out"),
    path("queue/<slug:name>/", views.queue, name="queue"),
    path("assign/", views.bulk_assign, name="bulk_assign"),
    path("take-next/", views.take_next, name="take_next"),
    path("approvals/", views.approvals, name="approvals"),
    path("print/", views.print_letters, name="print"),
    path("print/new/", views.print_batch_new, name="print_batch_new"),
    path("print/<int:batch_id>/pdf/", views.print_batch_file, name="print_batch_file"),
    path("print/<int:batch_id>/posted/", views.print_batch_posted, name="print_batch_posted"),
    path("approvals/<int:proposal_id>/approve/", views.approve, name="approve"),
    path("approvals/<int:proposal_id>/return/", views.return_proposal, name="return_proposal"),
    path("cases/<int:case_id>/", views.case_detail, name="case"),
    path(
        "cases/<int:case_id>/letters/<int:letter_request_id>/preview/",
        views.letter_preview,
        name="letter_preview",
    ),
    path(
        "cases/<int:case_id>/proposals/<int:proposal_id>/preview/",
        views.proposal_letter_preview,
        name="proposal_letter_preview",
    ),
    path(
        "cases/<int:case_id>/chargebacks/<int:chargeback_id>/<slug:action>/",
        views.chargeback_action,
        name="chargeback_action",
    ),
    path("cases/<int:case_id>/<slug:action>/", views.case_action, name="case_action"),
    path("evidence/<int:evidence_id>/", views.evidence_file, name="evidence"),
    path("claims/new/", views.claim_new, name="claim_new"),
    path("search/", views.search, name="search"),
    path("customers/<int:customer_id>/", views.customer_detail, name="customer"),
]
