from django.urls import path

from .views import milestones, plans, reports, reviews, workloads

app_name = "reviewapp"

urlpatterns = [
    path("", workloads.workload_list, name="workload_list"),
    path("workloads/new/", workloads.workload_create_view, name="workload_create"),
    path("workloads/<int:pk>/", workloads.workload_detail, name="workload_detail"),
    path("workloads/<int:pk>/edit/", workloads.workload_edit, name="workload_edit"),
    path("workloads/<int:pk>/members/", workloads.member_share, name="member_share"),
    path("workloads/<int:pk>/members/<int:member_pk>/remove/", workloads.member_remove, name="member_remove"),
    path("workloads/<int:pk>/reviews/", workloads.review_add, name="review_add"),
    path("reviews/<int:pk>/", reviews.review_detail, name="review_detail"),
    path("reviews/<int:pk>/pillars/<str:key>/", reviews.review_pillar, name="review_pillar"),
    path("reviews/<int:pk>/questions/<str:key>/", reviews.review_question, name="review_question"),
    path("reviews/<int:pk>/answers/", reviews.answer_save_view, name="answer_save"),
    path("reviews/<int:pk>/plan/", plans.plan_view, name="plan"),
    path("reviews/<int:pk>/plan/<str:key>/", plans.plan_item_update, name="plan_item_update"),
    path("reviews/<int:pk>/milestones/", milestones.milestone_list, name="milestone_list"),
    path("reviews/<int:pk>/milestones/<int:milestone_pk>/", milestones.milestone_detail, name="milestone_detail"),
    path("reviews/<int:pk>/compare/", milestones.milestone_compare, name="milestone_compare"),
    path("reviews/<int:pk>/report.pdf", reports.report_download, name="report"),
    path(
        "reviews/<int:pk>/milestones/<int:milestone_pk>/report.pdf",
        reports.report_download,
        name="milestone_report",
    ),
]
