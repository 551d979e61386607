"""Addresses of a record by its integer key, its route reversed once per process.

Django reverses a route at every call (about 34 µs: the resolver's candidates for the name, the
converters, the check of the result against the route's pattern): a page of 50 learners spent
1.7 ms on its rows' links alone. A route taking one integer is reversed here once, with marker
keys, and kept as the text around the key (per name, script prefix, URL configuration and
application instance, as the navigation's entries are); an address is then that text around the
key. A route that does not give the same address around every key (a converter that refuses
some integers, a key written twice) is left to Django at every call.

The `url` template tag goes through here for its common case (tremplin/core/templatetags/
tremplin_urls.py).
"""

from __future__ import annotations

from functools import lru_cache

from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse

#: Keys no table reaches, and a small one: the route must write each the same way.
_MARKS = (7_356_412_089, 7_356_412_090, 1)


@lru_cache(maxsize=1024)
def _around(
    name: str, prefix: str, urlconf: str | None, current_app: str | None
) -> tuple[str, str] | None:
    """The text before and after the key in the route's addresses, or None when the route
    does not write every key the same way."""
    try:
        addresses = [
            reverse(name, args=[mark], urlconf=urlconf, current_app=current_app) for mark in _MARKS
        ]
    except NoReverseMatch:
        return None
    before, found, after = addresses[0].partition(str(_MARKS[0]))
    if not found or str(_MARKS[0]) in after:
        return None
    if any(
        address != f"{before}{mark}{after}" for address, mark in zip(addresses, _MARKS, strict=True)
    ):
        return None
    return before, after


def keyed_address(name: str, key: object, current_app: str | None = None) -> str | None:
    """The address of route `name` for the integer `key` (what `reverse(name, args=[key])`
    gives), or None when this route or key is left to Django."""
    if type(key) is not int or key < 0:
        return None
    around = _around(name, get_script_prefix(), get_urlconf(), current_app)
    if around is None:
        return None
    return f"{around[0]}{key}{around[1]}"
