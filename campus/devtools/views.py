"""The benchmark's floor: the cheapest page the server can serve (no query, tiny template)."""

from django.http import HttpRequest, HttpResponse
from django.template import loader


def floor_view(request: HttpRequest) -> HttpResponse:
    # Rendered without the request, so no context processor runs and no query is made.
    return HttpResponse(loader.get_template("devtools/floor.html").render({"name": "Campus"}))
