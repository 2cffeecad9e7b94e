"""`{% jinja_include "name" %}`: a fragment of a Django page rendered by the Jinja2 engine.

The fragment sees the page's context (and `csrf_input`), as `{% include %}`
would; what it returns is the output of an autoescaped template, placed as
`{% include %}` places its own. See campus/core/jinja.py.
"""

from __future__ import annotations

from typing import Any, cast

from django import template
from django.template import engines
from django.template.base import Parser, Token

register = template.Library()


class JinjaIncludeNode(template.Node):
    def __init__(self, template_name: str) -> None:
        self.template_name = template_name

    def render(self, context: template.Context) -> str:
        fragment = engines["jinja2"].get_template(self.template_name)
        values = cast(dict[str, Any], context.flatten())
        return str(fragment.render(values, context.get("request")))


@register.tag
def jinja_include(parser: Parser, token: Token) -> JinjaIncludeNode:
    bits = token.split_contents()
    name = bits[1] if len(bits) == 2 else ""
    if len(name) < 3 or name[0] not in "\"'" or name[-1] != name[0]:
        raise template.TemplateSyntaxError(
            f'{bits[0]} takes one quoted template name: {{% {bits[0]} "name" %}}'
        )
    return JinjaIncludeNode(name[1:-1])
