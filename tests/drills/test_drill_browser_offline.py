"""Opening the app makes requests only to the app's own address (the favicon was fetched from a
font CDN on every load)."""
from __future__ import annotations

from urllib.parse import urljoin, urlsplit

import pytest

from streamlit_page import start_app, stop_app, use_e2e_timeouts, wait_for_app_idle

pytestmark = pytest.mark.e2e


def test_every_request_the_pages_make_goes_to_127_0_0_1(browser, tmp_path):
    process, url = start_app(tmp_path / "home", tmp_path / "streamlit.log")
    try:
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        requested: list[str] = []
        context.on("request", lambda request: requested.append(request.url))
        page = context.new_page()
        use_e2e_timeouts(page)
        page.goto(url)
        wait_for_app_idle(page)
        page.get_by_text("Input tokens").first.wait_for()
        page.goto(url + "/compare")
        wait_for_app_idle(page)
        page.get_by_text("Compare models").wait_for()
        favicon = page.locator("link[rel='shortcut icon'], link[rel='icon']").first.get_attribute("href")
        context.close()
    finally:
        stop_app(process)
    own = urlsplit(url).netloc
    outside = [address for address in requested
               if urlsplit(address).scheme not in ("data", "blob") and urlsplit(address).netloc != own]
    assert outside == []
    assert any("/_stcore/" in address or "/static/" in address for address in requested)  # the recorder saw the app
    assert favicon is not None
    assert favicon.startswith("data:") or urlsplit(urljoin(url, favicon)).netloc == own
