"""A workload's profile: answer the questionnaire, remove it, move to a newer version (milestone first)."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from questions.models import Profile
from questions.profiles import ProfileError, newer_profile, profile_questions

from ..access import get_workload_for_user
from ..profile_forms import ProfileAnswersForm, ProfilePickForm
from ..profiles import profile_summary, workload_profile_set, workload_profile_upgrade


@require_http_methods(["GET", "POST"])
def workload_profile(request: HttpRequest, pk: int) -> HttpResponse:
    workload, _role = get_workload_for_user(request, pk, write=True)
    pick = ProfilePickForm(request.GET or None)
    if pick.is_bound and pick.is_valid():
        profile = pick.cleaned_data["profile"]
    else:
        # The one in use (even an older version: its answers are shown as given), else the first there is.
        profile = workload.profile or Profile.objects.current().first()
    summary = profile_summary(workload)
    context = {"workload": workload, "pick": pick, "profile": profile, "summary": summary}
    if profile is None:
        return render(request, "reviewapp/workload_profile.html", context)
    answers = workload.profile_answers if profile.pk == workload.profile_id else {}
    form = ProfileAnswersForm(
        request.POST or None, profile=profile, questions=profile_questions(profile), answers=answers
    )
    if request.method == "POST" and form.is_valid():
        try:
            workload_profile_set(workload=workload, profile=profile, answers=form.answers())
        except ProfileError as exc:
            for problem in exc.problems:
                form.add_error(None, problem)
        else:
            messages.success(request, _("Profile saved: prioritised questions are flagged in the reviews."))
            return redirect("reviewapp:workload_detail", pk=workload.pk)
    context["form"] = form
    context["pick"] = ProfilePickForm(initial={"profile": profile.pk})
    return render(request, "reviewapp/workload_profile.html", context, status=400 if form.errors else 200)


@require_POST
def workload_profile_remove(request: HttpRequest, pk: int) -> HttpResponse:
    workload, _role = get_workload_for_user(request, pk, write=True)
    workload_profile_set(workload=workload, profile=None, answers={})
    messages.success(request, _("The workload no longer has a profile."))
    return redirect("reviewapp:workload_detail", pk=workload.pk)


@require_http_methods(["GET", "POST"])
def workload_profile_upgrade_view(request: HttpRequest, pk: int) -> HttpResponse:
    workload, _role = get_workload_for_user(request, pk, write=True)
    target = newer_profile(workload.profile)
    if target is None:
        return redirect("reviewapp:workload_detail", pk=workload.pk)
    context = {"workload": workload, "current": workload.profile, "target": target}
    if request.method == "POST":
        try:
            upgrade = workload_profile_upgrade(workload=workload, user=request.user)
        except ProfileError as exc:
            context["error"] = " ".join(exc.problems)
            return render(request, "reviewapp/workload_profile_upgrade.html", context, status=400)
        messages.success(
            request,
            _("The workload now uses version %(version)d of the profile; a milestone of each review was saved first.")
            % {"version": upgrade.new.version},
        )
        if upgrade.dropped:
            messages.warning(request, _("Some answers did not carry over: answer the profile again."))
            return redirect("reviewapp:workload_profile", pk=workload.pk)
        return redirect("reviewapp:workload_detail", pk=workload.pk)
    return render(request, "reviewapp/workload_profile_upgrade.html", context)
