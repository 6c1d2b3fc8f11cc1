"""The REST API under /api/v1/. Each view: access-scoped fetch, a serializer or form, one service call."""

from .archives import WorkloadArchive, WorkloadArchiveImport
from .comments import CommentDetail, CommentList
from .invitations import InvitationDetail, InvitationList
from .lenses import LensAwsExport, LensAwsImport, LensDetail, LensList
from .notifications import NotificationList, NotificationsRead
from .plans import ImprovementItemDetail, ImprovementPlan, MilestoneDetail, MilestoneList
from .profiles import (
    ProfileDetail,
    ProfileList,
    TemplateDetail,
    TemplateList,
    TemplateUpgrade,
    WorkloadProfile,
    WorkloadProfileUpgrade,
)
from .reviews import (
    AnswerDetail,
    AnswerList,
    AnswersAwsExport,
    AnswersAwsImport,
    AnswersExport,
    ReviewDetail,
    ReviewList,
    ReviewSummary,
)
from .sessions import SessionDetail, SessionList, SessionMinutes, SessionStep
from .trackers import TrackerConnectionDetail, TrackerSync
from .workloads import ConsolidatedExport, LensPortfolio, MemberDetail, MemberList, WorkloadDetail, WorkloadList

__all__ = [
    "NotificationList",
    "NotificationsRead",
    "LensList",
    "LensDetail",
    "LensAwsExport",
    "LensAwsImport",
    "WorkloadList",
    "WorkloadArchive",
    "WorkloadArchiveImport",
    "WorkloadDetail",
    "MemberList",
    "MemberDetail",
    "TrackerConnectionDetail",
    "TrackerSync",
    "InvitationList",
    "InvitationDetail",
    "ConsolidatedExport",
    "LensPortfolio",
    "ReviewList",
    "ReviewDetail",
    "ReviewSummary",
    "AnswerList",
    "AnswerDetail",
    "AnswersAwsExport",
    "AnswersAwsImport",
    "AnswersExport",
    "ImprovementPlan",
    "ImprovementItemDetail",
    "MilestoneList",
    "MilestoneDetail",
    "CommentList",
    "CommentDetail",
    "SessionList",
    "SessionDetail",
    "SessionStep",
    "SessionMinutes",
    "ProfileList",
    "ProfileDetail",
    "WorkloadProfile",
    "WorkloadProfileUpgrade",
    "TemplateList",
    "TemplateDetail",
    "TemplateUpgrade",
]
