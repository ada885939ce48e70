"""Open influence-map pages in real headless Chromium (Debian's), with the network cut off.

Used by ``tests/test_viz_browser.py`` and ``bench/bench_viz.py``. Every request the page
makes is recorded, and every one that is not ``file:``, ``data:``, ``about:`` or ``blob:``
is aborted, so a page that reaches for a CDN is seen doing so and cannot get an answer.
Console messages and uncaught page errors are recorded too.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Page, Route, sync_playwright

__all__ = ["CHROMIUM_FLAGS", "PageRecord", "chromium", "open_page"]

#: How Chromium runs on these machines (see the environment notes): headless, no sandbox
#: (root), and none of the background connections a closed network refuses.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOCAL_SCHEMES = ("file:", "data:", "about:", "blob:")


@dataclass
class PageRecord:
    """What a page did while it was open."""

    page: Page
    requests: list[str] = field(default_factory=list)
    network_requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    def evaluate(self, script: str, arg: Any = None) -> Any:
        return self.page.evaluate(script, arg)


@contextmanager
def chromium(executable: str = "/usr/bin/chromium") -> Iterator[Browser]:
    """A headless Chromium from the system (never a downloaded browser).

    Playwright gives it a new, empty profile of its own."""
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def open_page(
    browser: Browser,
    path: Path,
    *,
    width: int = 1400,
    height: int = 900,
    wait_ready: bool = True,
    timeout_ms: float = 60_000,
) -> Iterator[PageRecord]:
    """Open ``path`` in a fresh context with every non-local request recorded and aborted.

    With ``wait_ready`` the page is awaited until it says it is drawn and still
    (``document.body.dataset.ready == "true"``, set by ``page.js``).
    """
    context = browser.new_context(
        viewport={"width": width, "height": height}, service_workers="block"
    )
    page = context.new_page()
    record = PageRecord(page)

    def route(r: Route) -> None:
        url = r.request.url
        record.requests.append(url)
        if url.startswith(LOCAL_SCHEMES):
            r.continue_()
        else:
            record.network_requests.append(url)
            r.abort()

    context.route("**/*", route)
    page.on(
        "console", lambda m: record.console_errors.append(m.text) if m.type == "error" else None
    )
    page.on("pageerror", lambda e: record.page_errors.append(str(e)))
    try:
        page.goto(path.resolve().as_uri(), wait_until="load", timeout=timeout_ms)
        if wait_ready:
            page.wait_for_function("document.body.dataset.ready === 'true'", timeout=timeout_ms)
        yield record
    finally:
        context.close()
