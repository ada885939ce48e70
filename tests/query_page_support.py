"""A filmgraph server on loopback and a headless Chromium that may reach nothing else.

Used by the query-page and film-page tests: the server answers from a small graph built from
``tests/fixtures/viz/`` (ten films from Intolerance to Ivan's Childhood, people, claims,
context); every request the page makes that is not to that server is recorded and aborted.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Page, Route

from filmgraph.build import build
from filmgraph.server import RunningServer, ServerSettings, start

from .viz_support import fixture_sources

__all__ = ["ServedPage", "build_fixture", "open_served", "serve", "serve_fixture"]


def build_fixture(folder: Path, *extra: Path) -> Path:
    """Build the viz fixture (and ``extra`` sources) into ``folder``; the store's path."""
    built = build(folder / "build", sources=[*fixture_sources(), *extra], bundled=False)
    return built.generation.path.parent.parent


def serve(store: Path, folder: Path) -> RunningServer:
    """Serve a built store on a free loopback port (access log in ``folder``)."""
    settings = ServerSettings(port=0, workers=1, time_limit=20, access_log=folder / "access.log")
    return start(str(store), settings)


def serve_fixture(folder: Path) -> RunningServer:
    """Build the viz fixture into ``folder`` and serve it on a free loopback port."""
    return serve(build_fixture(folder), folder)


@dataclass
class ServedPage:
    """A page of the server, and what it did while it was open."""

    page: Page
    base: str
    blocked: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)

    def evaluate(self, script: str, arg: Any = None) -> Any:
        return self.page.evaluate(script, arg)


@contextmanager
def open_served(
    browser: Browser, base: str, path: str, *, width: int = 1400, height: int = 900
) -> Iterator[ServedPage]:
    """Open ``base + path`` in a fresh context; anything not on ``base`` is aborted."""
    context = browser.new_context(
        viewport={"width": width, "height": height}, service_workers="block"
    )
    page = context.new_page()
    record = ServedPage(page, base)

    def route(r: Route) -> None:
        url = r.request.url
        if url.startswith((base + "/", "data:", "about:", "blob:")) or url == base:
            r.continue_()
        else:
            record.blocked.append(url)
            r.abort()

    context.route("**/*", route)
    page.on(
        "console", lambda m: record.console_errors.append(m.text) if m.type == "error" else None
    )
    page.on("pageerror", lambda e: record.console_errors.append(str(e)))
    try:
        page.goto(base + path, wait_until="load", timeout=60_000)
        yield record
    finally:
        context.close()
