"""Helpers for driving a Streamlit page in Playwright without sleeps."""
from __future__ import annotations


def wait_for_app_idle(page, timeout_ms: int = 30_000) -> None:
    """Wait until Streamlit has rendered and no script run is in progress."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout_ms)
    page.wait_for_function(
        """() => {
            const app = document.querySelector('[data-testid="stApp"]');
            return app && app.getAttribute('data-test-script-state') !== 'running';
        }""",
        timeout=timeout_ms,
    )
