from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView

from .. import converters  # noqa: F401 - registers the id and fmt path converters
from . import views

app_name = "api"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularRedocView.as_view(url_name="api:schema"), name="docs"),
    path("v1/notifications/", views.NotificationList.as_view(), name="notification-list"),
    path("v1/notifications/read/", views.NotificationsRead.as_view(), name="notifications-read"),
    path("v1/lenses/", views.LensList.as_view(), name="lens-list"),
    path("v1/lenses/<id:pk>/", views.LensDetail.as_view(), name="lens-detail"),
    path("v1/lenses/<id:pk>/aws/", views.LensAwsExport.as_view(), name="lens-aws-export"),
    path("v1/lenses/import/", views.LensAwsImport.as_view(), name="lens-aws-import"),
    path("v1/workloads/", views.WorkloadList.as_view(), name="workload-list"),
    path("v1/workloads/import/", views.WorkloadArchiveImport.as_view(), name="workload-import"),
    path("v1/workloads/<id:pk>/", views.WorkloadDetail.as_view(), name="workload-detail"),
    path("v1/workloads/<id:pk>/archive/", views.WorkloadArchive.as_view(), name="workload-archive"),
    path("v1/workloads/<id:pk>/members/", views.MemberList.as_view(), name="member-list"),
    path("v1/workloads/<id:pk>/members/<id:member_pk>/", views.MemberDetail.as_view(), name="member-detail"),
    path("v1/workloads/<id:pk>/invitations/", views.InvitationList.as_view(), name="invitation-list"),
    path(
        "v1/workloads/<id:pk>/invitations/<id:invitation_pk>/",
        views.InvitationDetail.as_view(),
        name="invitation-detail",
    ),
    path("v1/profiles/", views.ProfileList.as_view(), name="profile-list"),
    path("v1/profiles/<id:pk>/", views.ProfileDetail.as_view(), name="profile-detail"),
    path("v1/workloads/<id:pk>/profile/", views.WorkloadProfile.as_view(), name="workload-profile"),
    path(
        "v1/workloads/<id:pk>/profile/upgrade/", views.WorkloadProfileUpgrade.as_view(), name="workload-profile-upgrade"
    ),
    path("v1/templates/", views.TemplateList.as_view(), name="template-list"),
    path("v1/templates/<id:pk>/", views.TemplateDetail.as_view(), name="template-detail"),
    path("v1/templates/<id:pk>/upgrade/", views.TemplateUpgrade.as_view(), name="template-upgrade"),
    path("v1/workloads/<id:pk>/tracker/", views.TrackerConnectionDetail.as_view(), name="tracker"),
    path("v1/workloads/<id:pk>/tracker/sync/", views.TrackerSync.as_view(), name="tracker-sync"),
    path("v1/reviews/", views.ReviewList.as_view(), name="review-list"),
    path("v1/reviews/<id:pk>/", views.ReviewDetail.as_view(), name="review-detail"),
    path("v1/reviews/<id:pk>/summary/", views.ReviewSummary.as_view(), name="review-summary"),
    path("v1/reviews/<id:pk>/answers/", views.AnswerList.as_view(), name="answer-list"),
    path("v1/reviews/<id:pk>/answers/import/", views.AnswersAwsImport.as_view(), name="answers-aws-import"),
    path("v1/reviews/<id:pk>/answers/aws/", views.AnswersAwsExport.as_view(), name="answers-aws-export"),
    path("v1/reviews/<id:pk>/answers/<str:key>/", views.AnswerDetail.as_view(), name="answer-detail"),
    path("v1/reviews/<id:pk>/answers/<str:key>/comments/", views.CommentList.as_view(), name="comment-list"),
    path("v1/reviews/<id:pk>/comments/<id:comment_pk>/", views.CommentDetail.as_view(), name="comment-detail"),
    path("v1/reviews/<id:pk>/improvement-plan/", views.ImprovementPlan.as_view(), name="plan"),
    path("v1/reviews/<id:pk>/improvement-plan/<str:key>/", views.ImprovementItemDetail.as_view(), name="plan-item"),
    path("v1/reviews/<id:pk>/milestones/", views.MilestoneList.as_view(), name="milestone-list"),
    path("v1/reviews/<id:pk>/milestones/<id:milestone_pk>/", views.MilestoneDetail.as_view(), name="milestone-detail"),
    path("v1/reviews/<id:pk>/sessions/", views.SessionList.as_view(), name="session-list"),
    path("v1/reviews/<id:pk>/sessions/<id:session_pk>/", views.SessionDetail.as_view(), name="session-detail"),
    path("v1/reviews/<id:pk>/sessions/<id:session_pk>/step/", views.SessionStep.as_view(), name="session-step"),
    path(
        "v1/reviews/<id:pk>/sessions/<id:session_pk>/minutes/", views.SessionMinutes.as_view(), name="session-minutes"
    ),
    path("v1/reviews/<id:pk>/export.<fmt:fmt>", views.AnswersExport.as_view(), name="answers-export"),
    path("v1/lenses/<slug:slug>/portfolio/", views.LensPortfolio.as_view(), name="lens-portfolio"),
    path("v1/lenses/<slug:slug>/risks.<fmt:fmt>", views.ConsolidatedExport.as_view(), name="consolidated-export"),
]
