"""Workload pages: list, create, detail, edit and sharing."""

from django.contrib import messages
from django.db.models import Exists, OuterRef
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from questions.models import Lens

from ..access import get_workload_for_user
from ..forms import (
    InvitationForm,
    ReviewCreateForm,
    ShareForm,
    WorkloadCreateForm,
    WorkloadForm,
    WorkloadListForm,
    error_messages,
)
from ..models import Membership, Review, Role, Workload
from ..profiles import profile_summary
from ..review_templates import TemplateError
from ..workload_search import workload_search
from ..workloads import SharingError, membership_remove, membership_set, review_create, workload_create


@require_http_methods(["GET"])
@vary_on_headers("HX-Request")
def workload_list(request: HttpRequest) -> HttpResponse:
    visible = Workload.objects.for_user(request.user)
    lenses = list(
        Lens.objects.filter(Exists(Review.objects.filter(lens=OuterRef("pk"), workload__in=visible))).order_by(
            "slug", "-pk"
        )
    )
    form = WorkloadListForm(request.GET or None, lenses=lenses)
    filters, page = form.filters()
    results = workload_search(user=request.user, filters=filters, page=page)
    context = {
        "form": form,
        "filters": filters,
        "results": results,
        "workloads": results.workloads,
        "page_query": _query_without_page(request),
        "lenses": list({lens.slug: lens for lens in lenses}.values()),
    }
    template = "reviewapp/workload_list.html"
    if request.htmx:
        template += "#workload-results"
    return render(request, template, context)


def _query_without_page(request: HttpRequest) -> str:
    """The list's query string without its page number and ending in ``&`` when not empty, for the page
    links to add theirs to."""
    query = request.GET.copy()
    query.pop("page", None)
    return f"{query.urlencode()}&" if query else ""


@require_http_methods(["GET", "POST"])
def workload_create_view(request: HttpRequest) -> HttpResponse:
    form = WorkloadCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        fields = {name: value for name, value in form.cleaned_data.items() if name != "lenses"}
        workload = workload_create(user=request.user, lenses=list(form.cleaned_data["lenses"]), **fields)
        messages.success(request, _("Workload created."))
        return redirect("reviewapp:workload_detail", pk=workload.pk)
    return render(request, "reviewapp/workload_form.html", {"form": form, "workload": None})


@require_http_methods(["GET"])
def workload_detail(request: HttpRequest, pk: int) -> HttpResponse:
    workload, role = get_workload_for_user(request, pk)
    context = {
        "workload": workload,
        "role": role,
        "can_write": role in (Role.OWNER, Role.CONTRIBUTOR),
        "is_owner": role == Role.OWNER,
        "reviews": workload.reviews.select_related("lens").with_risk_counts().order_by("lens__slug", "pk"),
        "memberships": workload.listed_memberships(),
        "share_form": ShareForm(),
        "review_form": ReviewCreateForm(workload=workload, user=request.user),
        "profile": profile_summary(workload),
        "invitation_form": InvitationForm(),
        "invitations": (
            workload.invitations.select_related("accepted_by").order_by("-created_at")[:20]
            if role == Role.OWNER
            else []
        ),
    }
    return render(request, "reviewapp/workload_detail.html", context)


@require_http_methods(["GET", "POST"])
def workload_edit(request: HttpRequest, pk: int) -> HttpResponse:
    workload, _role = get_workload_for_user(request, pk, write=True)
    form = WorkloadForm(request.POST or None, instance=workload)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Workload saved."))
        return redirect("reviewapp:workload_detail", pk=workload.pk)
    return render(request, "reviewapp/workload_form.html", {"form": form, "workload": workload})


@require_POST
def member_share(request: HttpRequest, pk: int) -> HttpResponse:
    workload, _role = get_workload_for_user(request, pk, owner=True)
    form = ShareForm(request.POST)
    if form.is_valid():
        try:
            membership_set(workload=workload, by=request.user, **form.cleaned_data)
        except SharingError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request,
                _("%(user)s is now %(role)s.")
                % {"user": form.cleaned_data["username"], "role": Role(form.cleaned_data["role"]).label},
            )
    else:
        messages.error(request, " ".join(error_messages(form)))
    return redirect("reviewapp:workload_detail", pk=workload.pk)


@require_POST
def member_remove(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    workload, _role = get_workload_for_user(request, pk, owner=True)
    membership = get_object_or_404(Membership, pk=member_pk, workload=workload)
    try:
        membership_remove(workload=workload, membership=membership)
    except SharingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("%(user)s no longer has access.") % {"user": membership.user.username})
    return redirect("reviewapp:workload_detail", pk=workload.pk)


@require_POST
def review_add(request: HttpRequest, pk: int) -> HttpResponse:
    workload, _role = get_workload_for_user(request, pk, write=True)
    form = ReviewCreateForm(request.POST, workload=workload, user=request.user)
    if not form.is_valid():
        messages.error(request, " ".join(error_messages(form)))
        return redirect("reviewapp:workload_detail", pk=workload.pk)
    template = form.cleaned_data["template"]
    try:
        review = review_create(workload=workload, lens=form.cleaned_data["lens"], user=request.user, template=template)
    except TemplateError as exc:
        messages.error(request, " ".join(exc.problems))
        return redirect("reviewapp:workload_detail", pk=workload.pk)
    if template is not None:
        messages.success(
            request, _("Review started with the answers of the template “%(name)s”.") % {"name": template.name}
        )
    return redirect("reviewapp:review_detail", pk=review.pk)
