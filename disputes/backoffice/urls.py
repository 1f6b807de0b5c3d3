from django.urls import path

from disputes.backoffice import access, case_views, letter_views, views

app_name = "backoffice"

urlpatterns = [
    path("", views.home, name="home"),
    path("sign-in/", access.sign_in, name="sign_in"),
    path("sign-in/code/", access.sign_in_code, name="sign_in_code"),
    path("sign-out/", access.sign_out, name="sign_out"),
    path("queue/<slug:name>/", views.queue, name="queue"),
    path("assign/", views.bulk_assign, name="bulk_assign"),
    path("take-next/", views.take_next, name="take_next"),
    path("approvals/", views.approvals, name="approvals"),
    path("print/", letter_views.print_letters, name="print"),
    path("print/new/", letter_views.print_batch_new, name="print_batch_new"),
    path("print/<int:batch_id>/", letter_views.print_batch_page, name="print_batch"),
    path("print/<int:batch_id>/pdf/", letter_views.print_batch_file, name="print_batch_file"),
    path("print/<int:batch_id>/printed/", letter_views.print_batch_printed, name="print_batch_printed"),
    path(
        "print/<int:batch_id>/printed/undo/",
        letter_views.print_batch_printed_undo,
        name="print_batch_printed_undo",
    ),
    path("print/<int:batch_id>/posted/", letter_views.print_batch_posted, name="print_batch_posted"),
    path("approvals/<int:proposal_id>/approve/", views.approve, name="approve"),
    path("approvals/<int:proposal_id>/return/", views.return_proposal, name="return_proposal"),
    path("cases/<int:case_id>/", case_views.case_detail, name="case"),
    path(
        "cases/<int:case_id>/letters/<int:letter_request_id>/preview/",
        letter_views.letter_preview,
        name="letter_preview",
    ),
    path(
        "cases/<int:case_id>/letters/<int:letter_id>/reissue/",
        letter_views.letter_reissue_page,
        name="letter_reissue",
    ),
    path(
        "cases/<int:case_id>/proposals/<int:proposal_id>/preview/",
        letter_views.proposal_letter_preview,
        name="proposal_letter_preview",
    ),
    path(
        "cases/<int:case_id>/chargebacks/<int:chargeback_id>/<slug:action>/",
        case_views.chargeback_action,
        name="chargeback_action",
    ),
    path("cases/<int:case_id>/<slug:action>/", case_views.case_action, name="case_action"),
    path("evidence/<int:evidence_id>/", case_views.evidence_file, name="evidence"),
    path("claims/new/", views.claim_new, name="claim_new"),
    path("search/", views.search, name="search"),
    path("customers/<int:customer_id>/", views.customer_detail, name="customer"),
]
