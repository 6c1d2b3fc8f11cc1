"""Moving a review to the newer version of its lens: see what changed, then upgrade."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from questions.versions import lens_diff

from ..access import get_review_for_user
from ..models import WRITE_ROLES
from ..upgrades import UpgradeError, newer_version, review_upgrade


@require_http_methods(["GET", "POST"])
def review_upgrade_view(request: HttpRequest, pk: int) -> HttpResponse:
    review, role = get_review_for_user(request, pk, write=request.method == "POST")
    target = newer_version(review)
    if target is None:
        return redirect("reviewapp:review_detail", pk=review.pk)
    context = {"review": review, "workload": review.workload, "target": target, "can_write": role in WRITE_ROLES}
    if request.method == "POST":
        try:
            context["summary"] = review_upgrade(review=review, target=target, user=request.user)
        except UpgradeError as exc:
            context["error"] = str(exc)
            context["diff"] = lens_diff(review.lens, target)
            return render(request, "reviewapp/review_upgrade.html", context, status=400)
        return render(request, "reviewapp/review_upgraded.html", context)
    context["diff"] = lens_diff(review.lens, target)
    return render(request, "reviewapp/review_upgrade.html", context)
