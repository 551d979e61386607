"""The `url` tag, with the common case made cheap: a route and one integer key (a record's
address in a list's rows) is written from the route reversed once (tremplin/core/links.py).
Registered as a template builtin (settings.TEMPLATES), so it stands for Django's own in every
template; any other use (keyword arguments, several arguments, a key that is not an integer, a
route left to Django) is Django's tag unchanged."""

from __future__ import annotations

from typing import Any

from django import template
from django.template.base import Parser, Token
from django.template.context import Context
from django.template.defaulttags import URLNode
from django.template.defaulttags import url as django_url
from django.utils.html import conditional_escape

from tremplin.core.links import keyed_address

register = template.Library()


def _current_app(context: Context) -> str | None:
    """The application instance `{% url %}` reverses for: the request's `current_app` when it
    has one, else its view's namespace (as Django's tag)."""
    request: Any = getattr(context, "request", None)
    try:
        return request.current_app
    except AttributeError:
        try:
            return request.resolver_match.namespace
        except AttributeError:
            return None


class KeyedURLNode(URLNode):
    def render(self, context: Context) -> str:
        if self.kwargs or len(self.args) != 1:
            return str(super().render(context))
        address = keyed_address(
            self.view_name.resolve(context), self.args[0].resolve(context), _current_app(context)
        )
        if address is None:
            return str(super().render(context))
        if self.asvar:
            context[self.asvar] = address
            return ""
        return str(conditional_escape(address)) if context.autoescape else address


@register.tag
def url(parser: Parser, token: Token) -> KeyedURLNode:
    node = django_url(parser, token)
    return KeyedURLNode(node.view_name, node.args, node.kwargs, node.asvar)
