"""A whole workload as one archive file: download (owners) and upload as a new workload (anyone signed in)."""

import json

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from ..access import get_workload_for_user
from ..archives import WorkloadArchiveError, workload_archive, workload_from_archive
from ..archives.spec import MAX_FILE_BYTES
from ..forms import error_messages


class ArchiveUploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Workload archive (JSON)"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(_("The file is larger than 20 MB."), code="too_large")
        return upload.read()


def archive_response(workload) -> HttpResponse:
    """The workload's archive as a JSON download named after it."""
    body = json.dumps(workload_archive(workload), ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json")
    name = slugify(workload.name, allow_unicode=True) or "workload"
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=f"{name}-archive.json")
    return response


@require_http_methods(["GET"])
def workload_archive_download(request: HttpRequest, pk: int) -> HttpResponse:
    workload, _role = get_workload_for_user(request, pk, owner=True)
    return archive_response(workload)


@require_http_methods(["GET", "POST"])
def workload_import(request: HttpRequest) -> HttpResponse:
    form = ArchiveUploadForm(request.POST or None, request.FILES or None)
    problems = []
    if request.method == "POST":
        if form.is_valid():
            try:
                result = workload_from_archive(data=form.cleaned_data["file"], user=request.user)
            except WorkloadArchiveError as exc:
                problems = exc.messages
            else:
                messages.success(request, _("Workload imported: you own it."))
                for warning in result.warnings:
                    messages.warning(request, warning)
                return redirect("reviewapp:workload_detail", pk=result.workload.pk)
        else:
            problems = error_messages(form)
    context = {"form": form, "problems": problems}
    return render(request, "reviewapp/workload_import.html", context, status=400 if problems else 200)
