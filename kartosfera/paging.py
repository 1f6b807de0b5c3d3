"""What the paged lists of the portal and the back office share."""

from django.http import HttpRequest


def query_without_page(request: HttpRequest) -> str:
    """The request's query string without its page number: what a list's links to its other pages keep
    (the filters and the search), each link adding its own ``page``."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()
