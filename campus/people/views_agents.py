"""Placeholder: agent and team pages (being written)."""

from django.http import HttpRequest, HttpResponse


def _todo(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return HttpResponse("todo")


agent_list_view = agent_detail_view = my_team_view = team_view = _todo
agent_create_view = agent_edit_view = agent_role_view = _todo
