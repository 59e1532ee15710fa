"""A state shown as a coloured badge on admin pages (activations, re-embedding jobs): one markup, so every
state reads the same everywhere and browser tests find it by `data-state`."""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.html import format_html

NEUTRAL = "#777"


def state_badge(css_class: str, state: str, label: str, colours: Mapping[str, str]) -> str:
    return format_html(
        '<span class="{}" data-state="{}" style="color:#fff;background:{};padding:2px 6px;'
        'border-radius:3px">{}</span>',
        css_class,
        state,
        colours.get(state, NEUTRAL),
        label,
    )
