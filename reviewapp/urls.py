from django.urls import path

from . import converters  # noqa: F401 - registers the id and fmt path converters
from .views import (
    answers,
    exports,
    imports,
    invitations,
    live,
    milestones,
    plans,
    present,
    reports,
    reviews,
    tokens,
    upgrades,
    workloads,
)

app_name = "reviewapp"

urlpatterns = [
    path("", workloads.workload_list, name="workload_list"),
    path("account/tokens/", tokens.token_list, name="token_list"),
    path("account/tokens/<id:pk>/revoke/", tokens.token_revoke_view, name="token_revoke"),
    path("workloads/new/", workloads.workload_create_view, name="workload_create"),
    path("workloads/<id:pk>/", workloads.workload_detail, name="workload_detail"),
    path("workloads/<id:pk>/edit/", workloads.workload_edit, name="workload_edit"),
    path("workloads/<id:pk>/members/", workloads.member_share, name="member_share"),
    path("workloads/<id:pk>/members/<id:member_pk>/remove/", workloads.member_remove, name="member_remove"),
    path("workloads/<id:pk>/invitations/", invitations.invitation_create_view, name="invitation_create"),
    path(
        "workloads/<id:pk>/invitations/<id:invitation_pk>/revoke/",
        invitations.invitation_revoke_view,
        name="invitation_revoke",
    ),
    path("invitations/<str:token>/", invitations.invitation_accept_view, name="invitation_accept"),
    path("workloads/<id:pk>/reviews/", workloads.review_add, name="review_add"),
    path("reviews/<id:pk>/", reviews.review_detail, name="review_detail"),
    path("reviews/<id:pk>/pillars/<str:key>/", reviews.review_pillar, name="review_pillar"),
    path("reviews/<id:pk>/questions/<str:key>/", reviews.review_question, name="review_question"),
    path("reviews/<id:pk>/answers/", answers.answer_save_view, name="answer_save"),
    path("reviews/<id:pk>/live/", live.review_live, name="review_live"),
    path("reviews/<id:pk>/present/", present.review_present, name="review_present"),
    path("reviews/<id:pk>/facilitator/", live.facilitator_set, name="facilitator_set"),
    path("reviews/<id:pk>/questions/<str:key>/fields/", answers.answer_fields, name="answer_fields"),
    path("reviews/<id:pk>/questions/<str:key>/history/", answers.answer_history, name="answer_history"),
    path("reviews/<id:pk>/questions/<str:key>/restore/<int:version>/", answers.answer_restore, name="answer_restore"),
    path("reviews/<id:pk>/import/", imports.answers_import, name="answers_import"),
    path("reviews/<id:pk>/upgrade/", upgrades.review_upgrade_view, name="review_upgrade"),
    path("reviews/<id:pk>/plan/", plans.plan_view, name="plan"),
    path("reviews/<id:pk>/plan/<str:key>/", plans.plan_item_update, name="plan_item_update"),
    path("reviews/<id:pk>/milestones/", milestones.milestone_list, name="milestone_list"),
    path("reviews/<id:pk>/milestones/<id:milestone_pk>/", milestones.milestone_detail, name="milestone_detail"),
    path("reviews/<id:pk>/compare/", milestones.milestone_compare, name="milestone_compare"),
    path("reviews/<id:pk>/answers.<fmt:fmt>", exports.answers_export, name="answers_export"),
    path(
        "reviews/<id:pk>/milestones/<id:milestone_pk>/answers.<fmt:fmt>",
        exports.answers_export,
        name="milestone_answers_export",
    ),
    path("exports/<slug:slug>/risks.<fmt:fmt>", exports.consolidated_export, name="consolidated_export"),
    path("reviews/<id:pk>/report.pdf", reports.report_download, name="report"),
    path(
        "reviews/<id:pk>/milestones/<id:milestone_pk>/report.pdf",
        reports.report_download,
        name="milestone_report",
    ),
]
