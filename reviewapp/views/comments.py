"""Comments on a question: write one, and its author edits or deletes it."""

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from ..access import get_review_for_user
from ..comments import comment_add, comment_check_own, comment_delete, comment_edit
from ..models import Comment
from ..session_forms import CommentForm


def _thread_url(review_pk: int, key: str) -> str:
    return reverse("reviewapp:review_question", args=[review_pk, key]) + f"#comments-{key}"


def _refused(request: HttpRequest, review, form: CommentForm, key: str, comment=None) -> HttpResponse:
    """The text comes back in the form with what is wrong: nothing typed is lost."""
    context = {"review": review, "workload": review.workload, "form": form, "key": key, "comment": comment}
    return render(request, "reviewapp/comment_form.html", context)


@require_POST
def comment_add_view(request: HttpRequest, pk: int, key: str) -> HttpResponse:
    review, _role = get_review_for_user(request, pk, write=True)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            comment_add(review=review, question_key=key, user=request.user, body=form.cleaned_data["body"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect(_thread_url(pk, key))
    return _refused(request, review, form, key)


@require_http_methods(["GET", "POST"])
def comment_edit_view(request: HttpRequest, pk: int, comment_pk: int) -> HttpResponse:
    review, _role = get_review_for_user(request, pk, write=True)
    comment = get_object_or_404(
        Comment.objects.select_related("question"), pk=comment_pk, review=review, deleted_at__isnull=True
    )
    comment.review = review
    form = CommentForm(request.POST if request.method == "POST" else None, initial={"body": comment.body})
    if request.method == "POST" and form.is_valid():
        try:
            comment_edit(comment=comment, user=request.user, body=form.cleaned_data["body"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect(_thread_url(pk, comment.question.key))
    elif request.method == "GET":
        comment_check_own(comment, request.user)  # 403 for anyone but its author
    return _refused(request, review, form, comment.question.key, comment)


@require_POST
def comment_delete_view(request: HttpRequest, pk: int, comment_pk: int) -> HttpResponse:
    review, _role = get_review_for_user(request, pk, write=True)
    comment = get_object_or_404(
        Comment.objects.select_related("question"), pk=comment_pk, review=review, deleted_at__isnull=True
    )
    comment.review = review
    comment_delete(comment=comment, user=request.user)
    return redirect(_thread_url(pk, comment.question.key))
