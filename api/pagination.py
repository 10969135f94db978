from rest_framework.pagination import PageNumberPagination

from ops.errors import ApplicationError

MAX_PAGE_SIZE = 500


class CappedPageNumberPagination(PageNumberPagination):
    """Clients may ask for up to MAX_PAGE_SIZE rows a page; more answers 413 naming the limit."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is not None:
            if not raw.isdigit() or int(raw) < 1:
                raise ApplicationError(
                    "page_size must be a positive integer", extra={"fields": {"page_size": raw}}
                )
            if int(raw) > self.max_page_size:
                raise ApplicationError(
                    f"page_size may be at most {self.max_page_size}",
                    extra={"limit": self.max_page_size, "received": int(raw), "parameter": "page_size"},
                    status=413,
                )
        return super().get_page_size(request)
