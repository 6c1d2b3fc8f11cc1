"""Invitations: an owner makes and withdraws links; whoever holds one joins the workload, signed in or not."""

from django.contrib import messages
from django.contrib.auth import authenticate, login
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from ..access import get_workload_for_user
from ..forms import InvitationForm, JoinForm, error_messages
from ..invitations import (
    InvitationError,
    invitation_accept,
    invitation_accept_new_account,
    invitation_create,
    invitation_find,
    invitation_problem,
    invitation_revoke,
)
from ..models import Invitation, Role


@never_cache
@require_POST
def invitation_create_view(request: HttpRequest, pk: int) -> HttpResponse:
    workload, _role = get_workload_for_user(request, pk, owner=True)
    form = InvitationForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(error_messages(form)))
        return redirect("reviewapp:workload_detail", pk=workload.pk)
    invitation, token = invitation_create(
        workload=workload,
        role=form.cleaned_data["role"],
        created_by=request.user,
        valid_days=form.cleaned_data["valid_days"],
    )
    link = request.build_absolute_uri(reverse("reviewapp:invitation_accept", args=[token]))
    return render(
        request, "reviewapp/invitation_created.html", {"workload": workload, "invitation": invitation, "link": link}
    )


@require_POST
def invitation_revoke_view(request: HttpRequest, pk: int, invitation_pk: int) -> HttpResponse:
    workload, _role = get_workload_for_user(request, pk, owner=True)
    invitation = get_object_or_404(Invitation, pk=invitation_pk, workload=workload)
    invitation_revoke(invitation=invitation)
    messages.success(request, _("Invitation withdrawn: its link no longer works."))
    return redirect("reviewapp:workload_detail", pk=workload.pk)


@login_not_required  # the invitee may have no account yet; the token is the permission
@never_cache
@require_http_methods(["GET", "POST"])
def invitation_accept_view(request: HttpRequest, token: str) -> HttpResponse:
    invitation = invitation_find(token)
    if invitation is None:
        problem = _("This invitation link is not valid. Check that it was copied whole, or ask for a new one.")
        return render(request, "reviewapp/invitation_invalid.html", {"problem": problem}, status=404)
    if problem := invitation_problem(invitation):
        return render(request, "reviewapp/invitation_invalid.html", {"problem": problem}, status=410)
    signed_in = request.user.is_authenticated
    form = JoinForm(request.POST or None) if not signed_in else None
    if request.method == "POST":
        try:
            if signed_in:
                invitation_accept(invitation=invitation, user=request.user)
            elif form.is_valid():
                username, password = form.cleaned_data["username"], form.cleaned_data["password1"]
                invitation_accept_new_account(invitation=invitation, username=username, password=password)
                # Through the authentication backends, so django-axes sees this sign-in as any other.
                user = authenticate(request, username=username, password=password)
                if user is None:  # refused by django-axes (locked out): the account exists, sign in later
                    messages.info(request, _("Your account was created and has joined. Please sign in."))
                    return redirect("login")
                login(request, user)
        except InvitationError as exc:
            return render(request, "reviewapp/invitation_invalid.html", {"problem": str(exc)}, status=410)
        if request.user.is_authenticated:
            messages.success(
                request,
                _("You joined “%(workload)s” as %(role)s.")
                % {"workload": invitation.workload.name, "role": Role(invitation.role).label},
            )
            return redirect("reviewapp:workload_detail", pk=invitation.workload.pk)
    context = {
        "invitation": invitation,
        "form": form,
        "login_url": f"{reverse('login')}?next={request.path}",
    }
    return render(request, "reviewapp/invitation_accept.html", context)
