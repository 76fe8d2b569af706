"""A page opened by its own URL, as the first visit to a fresh server, still gets the app shell.

Streamlit treats a folder named `pages/` beside the entry script as legacy auto-discovered
pages and, on such a first visit, ran the page file without app.py (no sidebar, no backend
label). The pages live in `app_pages/` so only st.navigation decides what a URL runs.
"""
from __future__ import annotations


from streamlit_page import start_app, stop_app, use_e2e_timeouts, wait_for_app_idle


def test_first_visit_to_a_deep_link_shows_the_sidebar_and_navigation(browser, tmp_path):
    process, url = start_app(tmp_path / "home", tmp_path / "streamlit.log")
    try:
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        use_e2e_timeouts(page)
        page.goto(url + "/compare")
        wait_for_app_idle(page)
        page.get_by_text("Compare models").wait_for()
        sidebar = page.locator('[data-testid="stSidebar"]')
        sidebar.get_by_text("Simulator — no API key set").wait_for()
        nav_labels = sidebar.locator('[data-testid="stSidebarNavLink"]').all_inner_texts()
        assert [label.split()[-1] for label in nav_labels] == ["Editor", "Compare", "Tools", "Usage"]
        page.close()
    finally:
        stop_app(process)
