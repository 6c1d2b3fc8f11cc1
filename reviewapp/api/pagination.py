"""Limit/offset pagination with bounds, so an absurd number is clamped instead of reaching the database."""

from rest_framework.pagination import LimitOffsetPagination


class BoundedLimitOffsetPagination(LimitOffsetPagination):
    default_limit = 50
    max_limit = 500
    max_offset = 10**12

    def get_offset(self, request) -> int:
        return min(super().get_offset(request), self.max_offset)
