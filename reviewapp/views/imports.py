"""Uploading answers exported from the AWS Well-Architected Tool into a review."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from ..access import get_review_for_user
from ..aws_answers import AnswerImportError, answers_from_aws
from ..forms import error_messages


class AnswersUploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("AWS answers file (JSON)"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(size)d MB.") % {"size": settings.IMPORT_MAX_BYTES // (1024 * 1024)},
                code="too_large",
            )
        return upload.read()


@require_POST
def answers_import(request: HttpRequest, pk: int) -> HttpResponse:
    review, _role = get_review_for_user(request, pk, write=True)
    form = AnswersUploadForm(request.POST, request.FILES)
    problems = []
    if form.is_valid():
        try:
            summary = answers_from_aws(review=review, data=form.cleaned_data["file"], user=request.user)
        except AnswerImportError as exc:
            problems = exc.messages
        else:
            messages.success(
                request,
                _("Imported: %(updated)d answers changed, %(unchanged)d already as in the file.")
                % {"updated": len(summary.updated), "unchanged": len(summary.unchanged)},
            )
            for warning in summary.warnings:
                messages.warning(request, warning)
            return redirect("reviewapp:review_detail", pk=review.pk)
    else:
        problems = error_messages(form)
    context = {"review": review, "workload": review.workload, "problems": problems}
    return render(request, "reviewapp/answers_import_refused.html", context, status=400)
