"""Review sessions: the list, planning, the session page with its clock, and the minutes."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ..access import get_review_for_user, get_session_for_user
from ..bank import load_bank
from ..forms import error_messages
from ..models import WRITE_ROLES, DiscussionState, ParkingItem, Review, ReviewSession
from ..session_forms import AttendanceForm, DiscussionForm, ParkingForm, SessionPlanForm, SessionStepForm
from ..sessions import may_run
from ..sessions.attendance import attendance_correct
from ..sessions.discussion import discussion_set, parking_add, parking_delete
from ..sessions.minutes import session_minutes
from ..sessions.planning import agenda_of, previous_agenda, session_delete, session_edit, session_plan, sessions_listed
from ..sessions.running import STEPS, session_extend


def _back(request: HttpRequest, default: str) -> str:
    back = request.POST.get("next")
    return back if url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}) else default


def _detail_url(session: ReviewSession) -> str:
    return reverse("reviewapp:session_detail", args=[session.review_id, session.pk])


@require_http_methods(["GET"])
def session_list(request: HttpRequest, pk: int) -> HttpResponse:
    review, role = get_review_for_user(request, pk)
    context = {
        "review": review,
        "workload": review.workload,
        "role": role,
        "can_write": role in WRITE_ROLES,
        "sessions": sessions_listed(review),
    }
    return render(request, "reviewapp/session_list.html", context)


def _plan_form(request: HttpRequest, review, session: ReviewSession | None) -> SessionPlanForm:
    bank = load_bank(review.lens)
    if request.method == "POST":
        return SessionPlanForm(request.POST, workload=review.workload, bank=bank)
    if session is not None:
        initial = {
            "title": session.title,
            "planned_start": session.planned_start,
            "facilitator": session.facilitator,
            "expected": list(session.expected.all()),
        }
        return SessionPlanForm(initial=initial, workload=review.workload, bank=bank, agenda=agenda_of(session))
    agenda = previous_agenda(review) if request.GET.get("copy") == "1" else []
    return SessionPlanForm(initial={"facilitator": request.user}, workload=review.workload, bank=bank, agenda=agenda)


def _plan_page(request: HttpRequest, review, role, form, session=None) -> HttpResponse:
    context = {
        "review": review,
        "workload": review.workload,
        "role": role,
        "form": form,
        "session": session,
        "has_previous": session is None and review.sessions.exists(),
    }
    return render(request, "reviewapp/session_form.html", context)


@require_http_methods(["GET", "POST"])
def session_create(request: HttpRequest, pk: int) -> HttpResponse:
    review, role = get_review_for_user(request, pk, write=True)
    form = _plan_form(request, review, None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            session = session_plan(
                review=review,
                user=request.user,
                title=data["title"],
                planned_start=data["planned_start"],
                facilitator=data["facilitator"],
                agenda=data["agenda"],
                expected=list(data["expected"]),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Session “%(title)s” planned.") % {"title": session.title})
            return redirect(_detail_url(session))
    return _plan_page(request, review, role, form)


@require_http_methods(["GET", "POST"])
def session_edit_view(request: HttpRequest, pk: int, session_pk: int) -> HttpResponse:
    session, role = get_session_for_user(request, pk, session_pk, write=True)
    form = _plan_form(request, session.review, session)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            session_edit(
                session=session,
                user=request.user,
                title=data["title"],
                planned_start=data["planned_start"],
                facilitator=data["facilitator"],
                agenda=data["agenda"],
                expected=list(data["expected"]),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Session saved."))
            return redirect(_detail_url(session))
    return _plan_page(request, session.review, role, form, session)


@require_POST
def session_delete_view(request: HttpRequest, pk: int, session_pk: int) -> HttpResponse:
    session, _role = get_session_for_user(request, pk, session_pk, write=True)
    try:
        session_delete(session=session, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(_detail_url(session))
    messages.success(request, _("Session deleted."))
    return redirect("reviewapp:session_list", pk=pk)


@require_http_methods(["GET"])
def session_detail(request: HttpRequest, pk: int, session_pk: int) -> HttpResponse:
    session, role = get_session_for_user(request, pk, session_pk)
    review = session.review
    minutes = session_minutes(session)
    context = {
        "review": review,
        "workload": review.workload,
        "role": role,
        "session": session,
        "minutes": minutes,
        "agenda": list(session.agenda.select_related("pillar", "question")),
        "expected": list(session.expected.order_by("username")),
        "can_write": role in WRITE_ROLES,
        "can_run": may_run(request.user, session, role),
        "parking": list(session.parking.select_related("question", "raised_by", "owner")),
        "members": list(review.workload.members()),
        "attendance_form": AttendanceForm(workload=review.workload),
    }
    return render(request, "reviewapp/session_detail.html", context)


@require_POST
def session_step(request: HttpRequest, pk: int, session_pk: int) -> HttpResponse:
    session, _role = get_session_for_user(request, pk, session_pk, write=True)
    form = SessionStepForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(error_messages(form))
        action = form.cleaned_data["action"]
        if action == "extend":
            session_extend(session=session, user=request.user, minutes=form.cleaned_data["minutes"] or 5)
        else:
            STEPS[action](session=session, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if action == "end":
            return redirect("reviewapp:session_minutes", pk=pk, session_pk=session.pk)
        if action == "next":  # the facilitator goes to the item, which their page then keeps as the lead
            key = Review.objects.filter(pk=pk).values_list("facilitator_question", flat=True).get()
            if key:
                return redirect("reviewapp:review_question", pk=pk, key=key)
    return redirect(_back(request, _detail_url(session)))


@require_POST
def attendance_correct_view(request: HttpRequest, pk: int, session_pk: int) -> HttpResponse:
    session, _role = get_session_for_user(request, pk, session_pk, write=True)
    form = AttendanceForm(request.POST, workload=session.review.workload)
    try:
        if not form.is_valid():
            raise ValidationError(error_messages(form))
        attendance_correct(
            session=session, user=request.user, person=form.cleaned_data["person"], minutes=form.cleaned_data["minutes"]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Attendance corrected."))
    return redirect(_detail_url(session))


@require_POST
def discussion_set_view(request: HttpRequest, pk: int, session_pk: int) -> HttpResponse:
    session, _role = get_session_for_user(request, pk, session_pk, write=True)
    form = DiscussionForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(error_messages(form))
        row = discussion_set(
            session=session,
            user=request.user,
            question_key=form.cleaned_data["question"],
            state=form.cleaned_data["state"],
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("%(question)s: %(state)s.") % {"question": row.question.label, "state": DiscussionState(row.state).label},
        )
    return redirect(_back(request, _detail_url(session)))


@require_POST
def parking_add_view(request: HttpRequest, pk: int, session_pk: int) -> HttpResponse:
    session, _role = get_session_for_user(request, pk, session_pk, write=True)
    form = ParkingForm(request.POST, workload=session.review.workload)
    try:
        if not form.is_valid():
            raise ValidationError(error_messages(form))
        parking_add(
            session=session,
            user=request.user,
            text=form.cleaned_data["text"],
            question_key=form.cleaned_data["question"],
            owner=form.cleaned_data["owner"],
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Parked for later."))
    return redirect(_back(request, _detail_url(session)))


@require_POST
def parking_delete_view(request: HttpRequest, pk: int, session_pk: int, item_pk: int) -> HttpResponse:
    session, _role = get_session_for_user(request, pk, session_pk, write=True)
    item = get_object_or_404(ParkingItem, pk=item_pk, session=session)
    item.session = session
    parking_delete(item=item, user=request.user)  # PermissionDenied (403) for someone else's item
    messages.success(request, _("Removed from the parking lot."))
    return redirect(_back(request, _detail_url(session)))


@require_http_methods(["GET"])
def session_minutes_view(request: HttpRequest, pk: int, session_pk: int) -> HttpResponse:
    session, role = get_session_for_user(request, pk, session_pk)
    context = {
        "review": session.review,
        "workload": session.review.workload,
        "role": role,
        "session": session,
        "minutes": session_minutes(session),
    }
    return render(request, "reviewapp/session_minutes.html", context)


@require_http_methods(["GET"])
def session_minutes_export(request: HttpRequest, pk: int, session_pk: int, ext: str) -> HttpResponse:
    session, _role = get_session_for_user(request, pk, session_pk)
    minutes = session_minutes(session)
    filename = f"session-{session.pk}-minutes.{ext}"
    if ext == "json":
        response = JsonResponse(minutes.as_json(), json_dumps_params={"ensure_ascii": False, "indent": 2})
    elif ext == "md":
        text = render_to_string(
            "reviewapp/session_minutes.md", {"session": session, "review": session.review, "minutes": minutes}
        )
        response = HttpResponse(text, content_type="text/markdown; charset=utf-8")
    else:
        raise Http404("No such format.")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
