"""Comments on a question over the API: list and write them; their author edits or deletes one."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from ...access import get_review_for_user
from ...comments import comment_add, comment_delete, comment_edit, question_comments
from ...models import Comment
from .. import serializers as s


class CommentList(APIView):
    """A question's comments, oldest first; members who can write add one."""

    @extend_schema(responses=s.CommentSerializer(many=True))
    def get(self, request, pk: int, key: str):
        review, _role = get_review_for_user(request, pk)
        return Response(s.CommentSerializer(question_comments(review, key), many=True).data)

    @extend_schema(request=s.CommentSerializer, responses={201: s.CommentSerializer})
    def post(self, request, pk: int, key: str):
        review, _role = get_review_for_user(request, pk, write=True)
        serializer = s.CommentSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            comment = comment_add(
                review=review, question_key=key, user=request.user, body=serializer.validated_data["body"]
            )
        except DjangoValidationError as error:
            raise ValidationError(error.messages) from None
        return Response(s.CommentSerializer(comment).data, status=status.HTTP_201_CREATED)


class CommentDetail(APIView):
    """One comment: its author changes its text or deletes it."""

    def _comment(self, request, pk: int, comment_pk: int, *, write: bool = False) -> Comment:
        review, _role = get_review_for_user(request, pk, write=write)
        comment = get_object_or_404(
            Comment.objects.select_related("question", "author"), pk=comment_pk, review=review, deleted_at__isnull=True
        )
        comment.review = review
        return comment

    @extend_schema(responses=s.CommentSerializer)
    def get(self, request, pk: int, comment_pk: int):
        return Response(s.CommentSerializer(self._comment(request, pk, comment_pk)).data)

    @extend_schema(request=s.CommentSerializer, responses=s.CommentSerializer)
    def patch(self, request, pk: int, comment_pk: int):
        comment = self._comment(request, pk, comment_pk, write=True)
        serializer = s.CommentSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            comment = comment_edit(comment=comment, user=request.user, body=serializer.validated_data["body"])
        except DjangoValidationError as error:
            raise ValidationError(error.messages) from None
        return Response(s.CommentSerializer(comment).data)

    @extend_schema(responses={204: None})
    def delete(self, request, pk: int, comment_pk: int):
        comment_delete(comment=self._comment(request, pk, comment_pk, write=True), user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
