"""Every page builds its component tree: a mistake in a page fails here in seconds, not at
the production build."""

import pytest
import reflex as rx

from app.app import PAGES


@pytest.mark.parametrize(("route", "page"), [(route, page) for route, page, *_ in PAGES])
def test_page_builds(route, page):
    assert isinstance(page(), rx.Component)
