"""Cursor pagination (REST API Design Rules): an opaque `cursor` parameter, stable
under inserts, constant cost at any depth."""

from rest_framework.pagination import CursorPagination


class Cursor(CursorPagination):
    ordering = "pk"
    page_size = 100
    page_size_query_param = "pageSize"
    max_page_size = 500
