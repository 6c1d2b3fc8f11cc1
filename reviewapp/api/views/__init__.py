"""The REST API under /api/v1/. Each view: access-scoped fetch, a serializer or form, one service call."""

from .archives import WorkloadArchive, WorkloadArchiveImport
from .invitations import InvitationDetail, InvitationList
from .lenses import LensAwsExport, LensAwsImport, LensDetail, LensList
from .plans import ImprovementItemDetail, ImprovementPlan, MilestoneDetail, MilestoneList
from .reviews import AnswerDetail, AnswerList, AnswersAwsImport, AnswersExport, ReviewDetail, ReviewList, ReviewSummary
from .workloads import ConsolidatedExport, LensPortfolio, MemberDetail, MemberList, WorkloadDetail, WorkloadList

__all__ = [
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
    "InvitationList",
    "InvitationDetail",
    "ConsolidatedExport",
    "LensPortfolio",
    "ReviewList",
    "ReviewDetail",
    "ReviewSummary",
    "AnswerList",
    "AnswerDetail",
    "AnswersAwsImport",
    "AnswersExport",
    "ImprovementPlan",
    "ImprovementItemDetail",
    "MilestoneList",
    "MilestoneDetail",
]
