"""Review templates: the user's list, one template, made from a review, renamed, deleted, upgraded."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ..access import get_review_for_user, get_template_for_user
from ..models import ReviewTemplate
from ..profile_forms import TemplateForm
from ..review_templates import (
    TemplateError,
    current_lens,
    template_from_review,
    template_rows,
    template_states,
    template_update,
    template_upgrade,
)


@require_http_methods(["GET"])
def template_list(request: HttpRequest) -> HttpResponse:
    templates = list(
        ReviewTemplate.objects.for_user(request.user).select_related("lens", "owner").order_by("name", "pk")
    )
    for template in templates:
        template.newer_lens = current_lens(template)
    return render(request, "reviewapp/template_list.html", {"templates": templates})


@require_http_methods(["GET", "POST"])
def template_from_review_view(request: HttpRequest, pk: int) -> HttpResponse:
    review, _role = get_review_for_user(request, pk)
    form = TemplateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            template = template_from_review(review=review, owner=request.user, **form.cleaned_data)
        except TemplateError as exc:
            for problem in exc.problems:
                form.add_error(None, problem)
        else:
            messages.success(request, _("Template saved from this review's answers."))
            return redirect("reviewapp:template_detail", pk=template.pk)
    context = {"form": form, "review": review, "workload": review.workload}
    return render(request, "reviewapp/template_form.html", context, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def template_detail(request: HttpRequest, pk: int) -> HttpResponse:
    template = get_template_for_user(request, pk)
    rows = template_rows(template)
    answered = [(row.key, f"{row.label} {row.title}") for row in rows]
    form = TemplateForm(request.POST or None, instance=template, answered=answered)
    if request.method == "POST" and form.is_valid():
        remove = set(form.cleaned_data.get("remove") or ())
        answers = {k: v for k, v in template_states(template).items() if k not in remove} if remove else None
        try:
            template_update(
                template=template,
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
                answers=answers,
            )
        except TemplateError as exc:
            for problem in exc.problems:
                form.add_error(None, problem)
        else:
            messages.success(request, _("Template saved."))
            return redirect("reviewapp:template_detail", pk=template.pk)
        template.refresh_from_db()
    context = {
        "template": template,
        "form": form,
        "rows": rows,  # a refused change is rolled back: the answers are as read above
        "newer_lens": current_lens(template),
    }
    return render(request, "reviewapp/template_detail.html", context, status=400 if form.errors else 200)


@require_POST
def template_delete(request: HttpRequest, pk: int) -> HttpResponse:
    template = get_template_for_user(request, pk)
    template.delete()
    messages.success(request, _("Template “%(name)s” deleted.") % {"name": template.name})
    return redirect("reviewapp:template_list")


@require_POST
def template_upgrade_view(request: HttpRequest, pk: int) -> HttpResponse:
    template = get_template_for_user(request, pk)
    try:
        upgrade = template_upgrade(template=template)
    except TemplateError as exc:
        messages.error(request, " ".join(exc.problems))
    else:
        messages.success(
            request, _("The template now uses version %(version)s of its lens.") % {"version": upgrade.new_lens.version}
        )
        if upgrade.dropped_questions or upgrade.dropped_choices:
            messages.warning(
                request,
                _("Left out, as the new version does not have them: %(ids)s.")
                % {"ids": ", ".join(upgrade.dropped_questions + upgrade.dropped_choices)},
            )
    return redirect("reviewapp:template_detail", pk=template.pk)
