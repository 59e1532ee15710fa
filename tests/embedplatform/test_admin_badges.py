"""The admin's state badge: the state for tests and styles, its colour, and the label escaped."""

from embedplatform.admin_badges import NEUTRAL, state_badge


def test_a_badge_carries_its_state_and_colour_and_escapes_its_label():
    html = state_badge("job-state", "running", "<Running>", {"running": "#1565c0"})

    assert 'class="job-state"' in html and 'data-state="running"' in html
    assert "background:#1565c0" in html
    assert "&lt;Running&gt;" in html and "<Running>" not in html


def test_a_state_without_a_colour_is_neutral():
    assert f"background:{NEUTRAL}" in state_badge("activation-state", "unknown", "?", {})
