"""A workload's issue tracker (owners only): connect (the token is write-only), disconnect, sync now."""

import re

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from ..access import get_workload_for_user
from ..models import TrackedIssue, TrackerConnection, TrackerKind, TrackerRisks
from ..trackers.connecting import TrackerRefused, tracker_connect, tracker_disconnect
from ..trackers.display import connection_error
from ..trackers.hooks import HookRefused, hook_received
from ..trackers.sync import queue_workload_sync

PROJECT_PATTERNS = {
    TrackerKind.GITHUB: (re.compile(r"[\w.-]+/[\w.-]+"), gettext_lazy("A GitHub repository is owner/name.")),
    TrackerKind.GITLAB: (
        re.compile(r"[\w.-]+(/[\w.-]+)+|\d+"),
        gettext_lazy("A GitLab project is group/name or its id."),
    ),
    TrackerKind.JIRA: (re.compile(r"[A-Z][A-Z0-9_]{0,19}"), gettext_lazy("A Jira project key is like SHOP.")),
}


class TrackerForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Tracker"), choices=TrackerKind.choices)
    base_url = forms.URLField(
        label=gettext_lazy("Address"),
        required=False,
        max_length=512,
        assume_scheme="https",
        help_text=gettext_lazy(
            "Empty for github.com or gitlab.com. GitHub Enterprise: https://host/api/v3; "
            "a GitLab server: https://host; Jira: https://your-site.atlassian.net."
        ),
    )
    project = forms.CharField(
        label=gettext_lazy("Project or repository"),
        max_length=200,
        help_text=gettext_lazy("GitHub: owner/repository. GitLab: group/project. Jira: the project key."),
    )
    username = forms.CharField(
        label=gettext_lazy("Account email (Jira Cloud)"),
        required=False,
        max_length=200,
        help_text=gettext_lazy("The account the Jira API token belongs to; empty for a personal access token."),
    )
    token = forms.CharField(
        label=gettext_lazy("Token"),
        max_length=1000,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=gettext_lazy("Kept encrypted and never shown again. It needs to read and write issues."),
    )
    risks = forms.ChoiceField(
        label=gettext_lazy("Risks to sync"), choices=TrackerRisks.choices, widget=forms.RadioSelect
    )

    def clean(self):
        data = super().clean()
        kind, project = data.get("kind"), data.get("project", "")
        if kind and project:
            pattern, message = PROJECT_PATTERNS[kind]
            if not pattern.fullmatch(project):
                self.add_error("project", forms.ValidationError(message, code="project"))
        if kind == TrackerKind.JIRA and not data.get("base_url"):
            self.add_error("base_url", forms.ValidationError(_("Give the address of your Jira site."), code="required"))
        return data


@never_cache
@require_http_methods(["GET", "POST"])
def tracker_settings(request: HttpRequest, pk: int) -> HttpResponse:
    workload, _role = get_workload_for_user(request, pk, owner=True)
    connection = TrackerConnection.objects.filter(workload=workload).select_related("created_by").first()
    initial = (
        {f: getattr(connection, f) for f in ("kind", "base_url", "project", "username", "risks")}
        if connection
        else {"risks": TrackerRisks.HIGH}
    )
    form = TrackerForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            tracker_connect(
                workload=workload,
                user=request.user,
                language=get_language(),
                site_url=request.build_absolute_uri("/"),
                **form.cleaned_data,
            )
        except TrackerRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, _("Connected. The improvement items are being synced."))
            return redirect("reviewapp:tracker_settings", pk=workload.pk)
    issues = TrackedIssue.objects.filter(connection=connection) if connection else TrackedIssue.objects.none()
    context = {
        "workload": workload,
        "form": form,
        "connection": connection,
        "hook_url": request.build_absolute_uri(reverse("reviewapp:tracker_hook", args=[connection.hook_id]))
        if connection
        else "",
        "connection_error": connection_error(connection) if connection else "",
        "issue_count": issues.exclude(key="").count(),
        "failing_count": issues.exclude(error="").count(),
    }
    return render(request, "reviewapp/trackers.html", context, status=400 if form.errors else 200)


@require_POST
def tracker_disconnect_view(request: HttpRequest, pk: int) -> HttpResponse:
    workload, _role = get_workload_for_user(request, pk, owner=True)
    connection = TrackerConnection.objects.filter(workload=workload).first()
    if connection is not None:
        tracker_disconnect(connection=connection)
        messages.success(request, _("Disconnected. The issues stay in the tracker; the links to them are forgotten."))
    return redirect("reviewapp:tracker_settings", pk=workload.pk)


@require_POST
def tracker_sync_view(request: HttpRequest, pk: int) -> HttpResponse:
    workload, _role = get_workload_for_user(request, pk, owner=True)
    connection = TrackerConnection.objects.filter(workload=workload).first()
    if connection is None:
        messages.error(request, _("This workload is not connected to an issue tracker."))
    else:
        queue_workload_sync(connection)
        messages.success(request, _("Sync queued: items and issues are brought in step both ways."))
    return redirect("reviewapp:tracker_settings", pk=workload.pk)


@login_not_required  # the tracker calls it: the signature with the connection's secret is the permission
@csrf_exempt
@require_POST
def tracker_hook(request: HttpRequest, hook_id) -> HttpResponse:
    connection = TrackerConnection.objects.filter(hook_id=hook_id).first()
    if connection is None:
        return JsonResponse({"error": "No such hook."}, status=404)
    try:
        queued = hook_received(connection=connection, headers=request.headers, body=request.body)
    except HookRefused:
        return JsonResponse({"error": "The signature does not match this hook's secret."}, status=403)
    return JsonResponse({"queued": queued}, status=202 if queued else 200)
