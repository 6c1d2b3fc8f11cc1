"""How the API docs (/api/docs/) group and name the operations: by resource, each with a one-line summary.

A postprocessing hook of drf-spectacular, so the views stay as they are and one table holds every name. An
operation missing from the table is still grouped, by the first segment of its path.
"""

import functools
from pathlib import Path

from django.contrib.staticfiles import finders
from django.core.exceptions import ImproperlyConfigured
from django.templatetags.static import static
from django.utils.translation import gettext_lazy

# The groups in the order the docs list them: key -> (heading, description).
TAGS = {
    "lenses": (gettext_lazy("Lenses"), gettext_lazy("The question bank, and its AWS custom lens JSON.")),
    "workloads": (gettext_lazy("Workloads"), gettext_lazy("What is reviewed.")),
    "members": (gettext_lazy("Members"), gettext_lazy("Who may see and change a workload, and with which role.")),
    "reviews": (gettext_lazy("Reviews"), gettext_lazy("A workload against one lens, with its risk summary.")),
    "answers": (gettext_lazy("Answers"), gettext_lazy("The best practices followed, question by question.")),
    "improvement plan": (
        gettext_lazy("Improvement plan"),
        gettext_lazy("The best practices still to adopt, tracked as items."),
    ),
    "milestones": (gettext_lazy("Milestones"), gettext_lazy("Frozen copies of a review.")),
    "sessions": (
        gettext_lazy("Sessions"),
        gettext_lazy("The workshops of a review: the plan, the shared clock and the minutes."),
    ),
    "profiles": (
        gettext_lazy("Profiles"),
        gettext_lazy("Business-context questionnaires whose answers prioritise questions of a lens."),
    ),
    "templates": (
        gettext_lazy("Review templates"),
        gettext_lazy("Your named sets of pre-filled answers, applied when a review is created."),
    ),
    "exports": (gettext_lazy("Exports"), gettext_lazy("Answers and risk counts as CSV or JSON.")),
    "notifications": (
        gettext_lazy("Notifications"),
        gettext_lazy("What happened that concerns you, and marking it read."),
    ),
}

# (method, path) -> (tag, summary)
OPERATIONS = {
    ("get", "/api/v1/lenses/"): ("lenses", gettext_lazy("List the published lenses")),
    ("get", "/api/v1/lenses/{id}/"): ("lenses", gettext_lazy("Read a lens with its pillars, questions and choices")),
    ("get", "/api/v1/lenses/{id}/aws/"): ("lenses", gettext_lazy("Export a lens as AWS custom lens JSON")),
    ("post", "/api/v1/lenses/import/"): ("lenses", gettext_lazy("Import an AWS custom lens JSON as a new lens")),
    ("get", "/api/v1/workloads/"): ("workloads", gettext_lazy("List your workloads")),
    ("post", "/api/v1/workloads/"): ("workloads", gettext_lazy("Create a workload")),
    ("get", "/api/v1/workloads/{id}/"): ("workloads", gettext_lazy("Read a workload")),
    ("put", "/api/v1/workloads/{id}/"): ("workloads", gettext_lazy("Replace a workload's details")),
    ("patch", "/api/v1/workloads/{id}/"): ("workloads", gettext_lazy("Change some of a workload's details")),
    ("get", "/api/v1/workloads/{id}/archive/"): (
        "workloads",
        gettext_lazy("Export a whole workload as one archive (owners)"),
    ),
    ("post", "/api/v1/workloads/import/"): ("workloads", gettext_lazy("Import a workload archive as a new workload")),
    ("get", "/api/v1/workloads/{id}/members/"): ("members", gettext_lazy("List a workload's members")),
    ("post", "/api/v1/workloads/{id}/members/"): ("members", gettext_lazy("Add a member or change their role")),
    ("delete", "/api/v1/workloads/{id}/members/{member_pk}/"): ("members", gettext_lazy("Remove a member")),
    ("get", "/api/v1/workloads/{id}/invitations/"): ("members", gettext_lazy("List a workload's invitations")),
    ("post", "/api/v1/workloads/{id}/invitations/"): ("members", gettext_lazy("Create an invitation link")),
    ("delete", "/api/v1/workloads/{id}/invitations/{invitation_pk}/"): (
        "members",
        gettext_lazy("Withdraw an invitation"),
    ),
    ("get", "/api/v1/reviews/"): ("reviews", gettext_lazy("List your reviews")),
    ("post", "/api/v1/reviews/"): ("reviews", gettext_lazy("Start a review, optionally from a review template")),
    ("get", "/api/v1/profiles/"): ("profiles", gettext_lazy("List the profiles a workload can choose")),
    ("get", "/api/v1/profiles/{id}/"): ("profiles", gettext_lazy("Read a profile with its questions and priorities")),
    ("get", "/api/v1/workloads/{id}/profile/"): ("profiles", gettext_lazy("Read a workload's profile and answers")),
    ("put", "/api/v1/workloads/{id}/profile/"): ("profiles", gettext_lazy("Set a workload's profile and answers")),
    ("delete", "/api/v1/workloads/{id}/profile/"): ("profiles", gettext_lazy("Remove a workload's profile")),
    ("post", "/api/v1/workloads/{id}/profile/upgrade/"): (
        "profiles",
        gettext_lazy("Move a workload to the newest version of its profile (milestone first)"),
    ),
    ("get", "/api/v1/templates/"): ("templates", gettext_lazy("List your review templates")),
    ("post", "/api/v1/templates/"): ("templates", gettext_lazy("Create a review template")),
    ("get", "/api/v1/templates/{id}/"): ("templates", gettext_lazy("Read a review template")),
    ("put", "/api/v1/templates/{id}/"): ("templates", gettext_lazy("Replace a review template")),
    ("patch", "/api/v1/templates/{id}/"): ("templates", gettext_lazy("Change part of a review template")),
    ("delete", "/api/v1/templates/{id}/"): ("templates", gettext_lazy("Delete a review template")),
    ("post", "/api/v1/templates/{id}/upgrade/"): (
        "templates",
        gettext_lazy("Move a review template to the current version of its lens"),
    ),
    ("get", "/api/v1/workloads/{id}/tracker/"): (
        "workloads",
        gettext_lazy("Read the workload's issue tracker connection (never its token) and its last sync"),
    ),
    ("post", "/api/v1/workloads/{id}/tracker/sync/"): (
        "workloads",
        gettext_lazy("Sync the improvement items with the issue tracker now, both ways (owners)"),
    ),
    ("get", "/api/v1/reviews/{id}/"): ("reviews", gettext_lazy("Read a review")),
    ("get", "/api/v1/reviews/{id}/summary/"): ("reviews", gettext_lazy("Risk counts of a review, per pillar")),
    ("get", "/api/v1/reviews/{id}/answers/"): ("answers", gettext_lazy("List a review's answers")),
    ("get", "/api/v1/reviews/{id}/answers/{key}/"): ("answers", gettext_lazy("Read one answer")),
    ("put", "/api/v1/reviews/{id}/answers/{key}/"): ("answers", gettext_lazy("Replace one answer")),
    ("patch", "/api/v1/reviews/{id}/answers/{key}/"): ("answers", gettext_lazy("Change part of one answer")),
    ("post", "/api/v1/reviews/{id}/answers/import/"): (
        "answers",
        gettext_lazy("Import answers exported from the AWS Well-Architected Tool"),
    ),
    ("get", "/api/v1/reviews/{id}/improvement-plan/"): ("improvement plan", gettext_lazy("Read the improvement plan")),
    ("patch", "/api/v1/reviews/{id}/improvement-plan/{key}/"): (
        "improvement plan",
        gettext_lazy("Track a best practice: status, owner, due date, note"),
    ),
    ("get", "/api/v1/reviews/{id}/milestones/"): ("milestones", gettext_lazy("List a review's milestones")),
    ("post", "/api/v1/reviews/{id}/milestones/"): ("milestones", gettext_lazy("Save a milestone")),
    ("get", "/api/v1/reviews/{id}/milestones/{milestone_pk}/"): (
        "milestones",
        gettext_lazy("Read a milestone's frozen answers"),
    ),
    ("get", "/api/v1/reviews/{id}/answers/{key}/comments/"): ("answers", gettext_lazy("List a question's comments")),
    ("post", "/api/v1/reviews/{id}/answers/{key}/comments/"): ("answers", gettext_lazy("Comment on a question")),
    ("get", "/api/v1/reviews/{id}/comments/{comment_pk}/"): ("answers", gettext_lazy("Read a comment")),
    ("patch", "/api/v1/reviews/{id}/comments/{comment_pk}/"): ("answers", gettext_lazy("Change your comment")),
    ("delete", "/api/v1/reviews/{id}/comments/{comment_pk}/"): ("answers", gettext_lazy("Delete your comment")),
    ("get", "/api/v1/reviews/{id}/sessions/"): ("sessions", gettext_lazy("List a review's sessions")),
    ("post", "/api/v1/reviews/{id}/sessions/"): ("sessions", gettext_lazy("Plan a session")),
    ("get", "/api/v1/reviews/{id}/sessions/{session_pk}/"): ("sessions", gettext_lazy("Read a session and its clock")),
    ("post", "/api/v1/reviews/{id}/sessions/{session_pk}/step/"): (
        "sessions",
        gettext_lazy("Start, pause, resume, extend, move on, end or reopen a session"),
    ),
    ("get", "/api/v1/reviews/{id}/sessions/{session_pk}/minutes/"): (
        "sessions",
        gettext_lazy("Read a session's minutes"),
    ),
    ("get", "/api/v1/reviews/{id}/export.{fmt}"): ("exports", gettext_lazy("Export a review's answers")),
    ("get", "/api/v1/reviews/{id}/answers/aws/"): (
        "exports",
        gettext_lazy("Export a review's answers for the AWS Well-Architected Tool (ListAnswers)"),
    ),
    ("get", "/api/v1/lenses/{slug}/portfolio/"): (
        "workloads",
        gettext_lazy("A lens across every workload you can see: risks, missing practices, items, trend"),
    ),
    ("get", "/api/v1/notifications/"): ("notifications", gettext_lazy("List your notifications, newest first")),
    ("post", "/api/v1/notifications/read/"): (
        "notifications",
        gettext_lazy("Mark some or all of your notifications read"),
    ),
    ("get", "/api/v1/lenses/{slug}/risks.{fmt}"): (
        "exports",
        gettext_lazy("Risk counts of every workload you can see, for a lens"),
    ),
}


def _fallback_tag(path: str) -> str:
    parts = [part for part in path.split("/") if part and part not in {"api", "v1"}]
    return parts[0] if parts else "api"


def group_and_summarise(result: dict, generator, request, public) -> dict:
    """Tag every operation with its resource and give it a summary (headings the docs show), in the reader's language."""
    names = {tag: str(heading) for tag, (heading, _description) in TAGS.items()}
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            tag, summary = OPERATIONS.get((method, path), (_fallback_tag(path), None))
            operation["tags"] = [names.get(tag, tag)]
            if summary is not None:
                operation["summary"] = str(summary)
    result["tags"] = [{"name": str(heading), "description": str(text)} for heading, text in TAGS.values()]
    return result


REDOC_BUNDLE = "drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js"
REDOC_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"


@functools.cache
def redoc_script() -> bytes:
    """The self-hosted Redoc bundle with its one outside address, the sidebar's logo, pointed at our own icon.

    The page's Content-Security-Policy allows images only from this site, so the logo was refused (an error on
    every visit), and fetching it would tell a third party who reads the docs.
    """
    path = finders.find(REDOC_BUNDLE)
    if path is None:
        raise ImproperlyConfigured(f"{REDOC_BUNDLE} is missing: is drf-spectacular-sidecar installed?")
    script = Path(path).read_text(encoding="utf-8")
    return script.replace(REDOC_LOGO, static("favicon.svg")).encode("utf-8")
