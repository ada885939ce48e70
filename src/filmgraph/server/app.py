"""The HTTP side of the endpoint: a Starlette application (served by uvicorn, see
:mod:`filmgraph.server.http`).

The HTTP process routes, checks sizes and hosts, and copies bytes; queries, pages and
serialisation happen in the worker processes of :mod:`filmgraph.server.pool`, except what
is provably bounded (one-pattern lookups, short ``/id/`` descriptions as Turtle or
N-Triples: :mod:`filmgraph.server.bounded`), which the HTTP process answers itself.

Routes::

    GET  /                  the query page
    GET|POST /sparql        SPARQL 1.1 Protocol (read-only; FROM / FROM NAMED honoured)
    GET  /queries           the named queries (JSON)
    GET  /queries/NAME?p=v  one named query, parameters from the URL
    GET  /id/KIND/SLUG      a resource (HTML, Turtle, JSON-LD by content negotiation)
    GET  /map/film/SLUG     the small influence map a film's page shows (HTML, in its iframe)
    GET  /static/PATH       the pages' scripts, styles, fonts (every file under static/)
    GET  /context.jsonld    the JSON-LD context
    GET  /health            liveness: 200 while the process answers, with the endpoint's
                            counts (every HTTP process's, summed, and each one's)
    GET  /ready             readiness: 200 when every HTTP process would take a query now,
                            else 503
"""

from __future__ import annotations

import asyncio
import json
import mimetypes
import os
import re
import time
import urllib.parse
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from contextlib import asynccontextmanager
from importlib.resources import files
from typing import Any, TextIO

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from filmgraph.export.jsonld import filmgraph_context
from filmgraph.iri import KINDS
from filmgraph.namespaces import ID
from filmgraph.server.answers import Job, wants_page
from filmgraph.server.board import ProcessTable
from filmgraph.server.cache import AnswerCache, etag_matches, request_key
from filmgraph.server.formats import Reply
from filmgraph.server.pool import WorkerPool
from filmgraph.server.settings import ServerSettings

__all__ = ["REPORTED", "create_app", "process_table"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_RESOURCE = re.compile(r"^([a-z][a-z-]*)/([a-z0-9]+(?:-[a-z0-9]+)*)$")
_FORM = "application/x-www-form-urlencoded"
_REVALIDATE = {"Cache-Control": "no-cache"}  # keep it, but ask each time (a build changes it)
# Where an answer came from, for benchmarks and operators: kept from an earlier asker of
# this generation, shared with an identical request running at the same time, or run now.
_KEPT = {"X-Filmgraph-Answer": "kept"}
_SHARED = {"X-Filmgraph-Answer": "shared"}
_RUN = {"X-Filmgraph-Answer": "run"}
_READ_ONLY = "this endpoint is read-only: SPARQL Update is refused"
for _suffix, _media in (
    (".js", "text/javascript"),
    (".mjs", "text/javascript"),
    (".css", "text/css"),
    (".svg", "image/svg+xml"),
    (".woff2", "font/woff2"),
    (".woff", "font/woff"),
    (".json", "application/json"),
    (".map", "application/json"),
    (".html", "text/html"),
):
    mimetypes.add_type(_media, _suffix)


#: The numbers each HTTP process reports of itself for ``/health`` and ``/ready`` (summed
#: over the processes, but ``costly_most_at_once``, the largest, and ``pid``, the process's
#: own; ``ready`` is 1 or 0).
REPORTED = (
    "pid",
    "ready",
    "quick_workers",
    "idle_workers",
    "spare_workers",
    "slow_queries_running",
    "queued",
    "queued_slow",
    "stopped_queries",
    "refused_queries",
    "generation_switches",
    "answered_in_process",
    "described_in_process",
    "costly_places",
    "costly_remembered",
    "costly_running",
    "costly_most_at_once",
    "page_workers",
    "idle_page_workers",
    "queued_pages",
    "cached_answers",
    "cache_hits",
    "cache_misses",
)
_LARGEST = frozenset({"costly_most_at_once"})
#: Seconds a process's report stays good: one older comes from a process whose event loop
#: has not run for that long (it reports four times a second), which is not answering.
STALE = 3.0
_REPORT_EVERY = 0.25


def process_table(processes: int) -> ProcessTable:
    """The table the endpoint's ``processes`` HTTP processes report into (create it before
    they start)."""
    return ProcessTable(processes, REPORTED)


def _response(reply: Reply, extra: dict[str, str] | None = None) -> Response:
    headers = {**reply.headers, **(extra or {})}
    return Response(
        reply.body, status_code=reply.status, headers=headers, media_type=reply.content_type
    )


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    return _response(Reply.error(status, message, headers))


def _one(values: Any, key: str) -> str:
    found = values.getlist(key)
    return str(found[-1]) if found else ""


class Endpoint:
    """The routes, over one worker pool."""

    def __init__(
        self,
        settings: ServerSettings,
        pool: WorkerPool,
        pages: WorkerPool,
        process: int = 0,
        table: ProcessTable | None = None,
    ) -> None:
        self.settings = settings
        self.process = process
        self.pool = pool
        self.pages = pages
        self.table = table or process_table(1)
        self.cache = AnswerCache(max_bytes=settings.answer_cache * 1024 * 1024)
        self._running: dict[tuple[str, str], asyncio.Future[Reply]] = {}
        self.context = json.dumps({"@context": filmgraph_context()}, indent=1).encode("utf-8")

    async def index(self, request: Request) -> Response:
        page = files("filmgraph.server").joinpath("static", "query.html").read_bytes()
        return Response(page, media_type="text/html; charset=utf-8")

    def report(self) -> dict[str, float]:
        """This process's numbers (:data:`REPORTED`), written into the shared table."""
        pages = self.pages.status()
        values: dict[str, float] = {
            **{k: v for k, v in self.pool.status().items() if isinstance(v, int)},
            "pid": os.getpid(),
            "ready": int(self.pool.ready()),
            "page_workers": self.pages.settings.workers,
            "idle_page_workers": pages["idle_workers"],
            "queued_pages": pages["queued"],
            **self.cache.status(),
        }
        self.table.publish(self.process, values)
        return values

    async def report_often(self) -> None:
        """Report this process's numbers a few times a second, for the other processes'
        ``/health`` and ``/ready``."""
        while True:
            self.report()
            await asyncio.sleep(_REPORT_EVERY)

    def _endpoint_state(self) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """The whole endpoint's numbers (summed over its HTTP processes) and each
        process's: its readiness, how old its report is, its numbers. A process that has
        not reported, or not within :data:`STALE` seconds, counts as not ready."""
        rows = self.table.rows()
        rows[self.process] = {"age": 0.0, **self.report()}  # this one's, as of now
        processes: list[dict[str, Any]] = []
        totals: dict[str, Any] = dict.fromkeys(REPORTED[1:], 0)
        for number, row in enumerate(rows):
            if row is None:
                processes.append({"http_process": number, "reported": False, "ready": False})
                continue
            fresh = row["age"] <= STALE
            processes.append(
                {
                    "http_process": number,
                    "reported": True,
                    "seconds_since_report": round(row["age"], 3),
                    **{k: int(row[k]) for k in REPORTED},
                    "ready": bool(row["ready"]) and fresh,
                }
            )
            for name in REPORTED[1:]:  # not the pid
                value = int(row[name])
                totals[name] = (
                    max(totals[name], value) if name in _LARGEST else totals[name] + value
                )
        ready = sum(1 for p in processes if p["ready"])
        totals["ready"] = ready == len(processes)
        totals["ready_processes"] = ready
        return totals, processes

    async def health(self, request: Request) -> Response:
        totals, processes = self._endpoint_state()
        body = {
            "status": "ok",
            **totals,
            "http_process": self.process,
            "http_processes": self.settings.http_processes,
            "time_limit": self.settings.time_limit,
            "result_limit": self.settings.result_limit,
            "generation": self.pool.generation,
            "preparing_generation": self.pool.status()["preparing_generation"],
            **self.pool.board.status(),
            "processes": processes,
        }
        return Response(json.dumps(body), media_type="application/json")

    async def ready(self, request: Request) -> Response:
        totals, processes = self._endpoint_state()
        ready = bool(totals["ready"])
        body = {
            **totals,
            "http_process": self.process,
            "http_processes": self.settings.http_processes,
            "generation": self.pool.generation,
            "processes": [
                {k: p[k] for k in ("http_process", "ready", "seconds_since_report") if k in p}
                for p in processes
            ],
        }
        headers = {} if ready else {"Retry-After": "1"}
        return Response(
            json.dumps(body),
            status_code=200 if ready else 503,
            headers=headers,
            media_type="application/json",
        )

    async def context_document(self, request: Request) -> Response:
        return Response(self.context, media_type="application/ld+json")

    async def catalogue(self, request: Request) -> Response:
        return _response(await self.pool.run(Job("catalogue")))

    async def named(self, request: Request) -> Response:
        params = request.query_params
        values = {k: params.getlist(k)[-1] for k in params if k != "format"}
        job = Job(
            "named",
            name=request.path_params["name"],
            params=values,
            accept=request.headers.get("accept", ""),
            fmt=_one(params, "format"),
        )
        return await self._answer(request, job)

    async def resource(self, request: Request) -> Response:
        path = request.path_params["path"]
        match = _RESOURCE.match(path)
        if not match:
            return _error(
                400,
                "not a resource path: expected /id/KIND/SLUG with a lowercase "
                "slug of letters, digits and hyphens",
            )
        if match.group(1) not in KINDS:
            return _error(404, f"no kind of resource {match.group(1)!r}")
        accept = request.headers.get("accept", "") or "text/html"
        job = Job(
            "resource", name=f"{ID}{path}", accept=accept, fmt=_one(request.query_params, "format")
        )
        # Turtle, N-Triples or JSON-LD is one query: the query lane answers it, so the
        # pages a person reads never keep a linked-data client waiting (or the reverse).
        return await self._answer(request, job, self.pages if wants_page(job) else self.pool)

    async def film_map(self, request: Request) -> Response:
        slug = request.path_params["slug"]
        if not _RESOURCE.match(f"film/{slug}"):
            return _error(400, "not a film: expected /map/film/SLUG")
        job = Job("map", name=f"{ID}film/{slug}", accept="text/html")
        return await self._answer(request, job, self.pages)

    async def _answer(self, request: Request, job: Job, pool: WorkerPool | None = None) -> Response:
        """The answer to ``job`` (from ``pool``, the query pool by default): ``304`` when the
        client holds it, the kept answer when this generation answered the same request
        before, the answer of the same request already running (one worker, not one per
        asker), else a worker's (kept if it can be)."""
        pool = pool or self.pool
        generation = pool.generation
        if not generation:  # not a build directory: the store may change under us
            return _response(await pool.run(job))
        key = request_key(job)
        tag = AnswerCache.tag(generation, key)
        held = request.headers.get("if-none-match")
        if held and etag_matches(held, tag):
            return Response(status_code=304, headers={"ETag": tag, **_REVALIDATE, **_KEPT})
        kept = self.cache.get(generation, key)
        if kept is not None:
            return _response(kept, {"ETag": tag, **_REVALIDATE, **_KEPT})
        here = pool.answer_here(job)  # a bounded lookup: answered now, nothing to share
        if here is not None:
            return self._reply(pool, key, here, _RUN)
        running = self._running.get((generation, key))
        source = _SHARED
        if running is None:  # the first asker runs it; the same request meanwhile waits for it
            source = _RUN
            running = asyncio.ensure_future(pool.run(job))
            self._running[(generation, key)] = running
            running.add_done_callback(lambda _: self._running.pop((generation, key), None))
        return self._reply(pool, key, await asyncio.shield(running), source)

    def _reply(self, pool: WorkerPool, key: str, reply: Reply, source: dict[str, str]) -> Response:
        """The response for a reply to ``key``: kept if it can be, tagged with its generation."""
        answered_from = reply.headers.get("X-Filmgraph-Generation", "")
        if reply.status != 200 or not answered_from:
            return _response(reply, source)
        if answered_from == pool.generation:
            self.cache.put(answered_from, key, reply)
        tag = AnswerCache.tag(answered_from, key)
        return _response(reply, {"ETag": tag, **_REVALIDATE, **source})

    async def sparql(self, request: Request) -> Response:
        params = request.query_params
        if "update" in params:
            return _error(403, _READ_ONLY)
        text = _one(params, "query")
        default_graphs = tuple(params.getlist("default-graph-uri"))
        named_graphs = tuple(params.getlist("named-graph-uri"))
        if request.method == "POST":
            body = await self._body(request)
            if isinstance(body, Response):
                return body
            content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
            if content_type == "application/sparql-update":
                return _error(403, _READ_ONLY)
            if content_type == "application/sparql-query":
                text = body.decode("utf-8", "replace")
            elif content_type == _FORM:
                try:
                    form = urllib.parse.parse_qs(
                        body.decode("utf-8", "replace"), keep_blank_values=True, max_num_fields=100
                    )
                except ValueError as exc:
                    return _error(400, f"bad form body: {exc}")
                if "update" in form:
                    return _error(403, _READ_ONLY)
                default_graphs += tuple(form.get("default-graph-uri", []))
                named_graphs += tuple(form.get("named-graph-uri", []))
                text = (form.get("query") or [text])[-1]
            else:
                return _error(
                    415,
                    "POST a query as application/sparql-query or as "
                    "application/x-www-form-urlencoded with query=",
                )
        if not text:
            return _error(
                400, "no query: pass query=… (GET or form POST) or POST application/sparql-query"
            )
        if len(text.encode("utf-8")) > self.settings.max_query_bytes:
            return _error(413, f"query too long: at most {self.settings.max_query_bytes} bytes")
        job = Job(
            "sparql",
            text=text,
            accept=request.headers.get("accept", ""),
            fmt=_one(params, "format"),
            default_graphs=default_graphs,
            named_graphs=named_graphs,
        )
        return await self._answer(request, job)

    async def _body(self, request: Request) -> bytes | Response:
        close = {"Connection": "close"}
        if "chunked" in request.headers.get("transfer-encoding", "").lower():
            return _error(411, "send a Content-Length; chunked bodies are not accepted", close)
        length = request.headers.get("content-length")
        if length is None:
            return _error(411, "a POST needs a Content-Length")
        if int(length) > self.settings.max_body_bytes:  # the parser has checked it is a number
            return _error(
                413, f"request body too large: at most {self.settings.max_body_bytes} bytes", close
            )
        try:
            async with _deadline(self.settings.body_timeout):
                return await request.body()
        except TimeoutError:
            return _error(
                408,
                f"the request body did not arrive within {self.settings.body_timeout:g} s",
                close,
            )
        except ClientDisconnect:
            return _error(400, "the client went away before sending its body", close)

    async def read_only(self, request: Request) -> Response:
        return _error(
            405,
            "this endpoint is read-only: use GET or POST",
            {"Allow": "GET, HEAD, POST, OPTIONS"},
        )


def _deadline(seconds: float) -> Any:
    return asyncio.timeout(seconds)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    messages = {
        404: f"nothing at {request.url.path}",
        405: "this endpoint is read-only: use GET or POST (POST only for /sparql)",
    }
    return _error(
        exc.status_code, messages.get(exc.status_code, str(exc.detail)), dict(exc.headers or {})
    )


class GuardMiddleware:
    """Refuses unsafe paths, adds the common headers and writes one escaped log line
    per request."""

    def __init__(self, app: ASGIApp, log: TextIO) -> None:
        self.app = app
        self.log = log
        self._second = 0
        self._when = ""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.monotonic()
        sent = {"status": 0, "bytes": 0}
        raw = bytes(scope.get("raw_path") or scope["path"].encode())
        logged = False

        def log_once() -> None:
            nonlocal logged
            if not logged:
                logged = True
                self._write(scope, raw, sent, started)

        async def send_logged(message: Message) -> None:
            if message["type"] == "http.response.start":
                sent["status"] = message["status"]
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"vary"]
                vary = [v for k, v in message.get("headers", []) if k.lower() == b"vary"]
                headers += [
                    (b"x-content-type-options", b"nosniff"),
                    (b"vary", b", ".join([*vary, b"Accept"])),
                ]
                message["headers"] = headers
            elif message["type"] == "http.response.body":
                sent["bytes"] += len(message.get("body", b""))
                if not message.get("more_body", False):
                    # logged before the last byte leaves: a client that has its answer
                    # finds its line in the log
                    log_once()
            await send(message)

        try:
            if any(bad in raw for bad in (b"..", b"%", b"//", b"\\")):
                reply = Reply.error(
                    400, "path refused: no '..', encoded characters or empty segments in paths"
                )
                await _response(reply)(scope, receive, send_logged)
            else:
                await self.app(scope, receive, send_logged)
        finally:
            log_once()  # no complete answer (an error, a client gone): logged all the same

    def _write(self, scope: Scope, raw: bytes, sent: dict[str, int], started: float) -> None:
        query = scope.get("query_string", b"")
        target = raw + (b"?" + query if query else b"")
        agent = next((v for k, v in scope.get("headers", []) if k == b"user-agent"), b"-")
        client = scope.get("client") or ("-", 0)
        when = self._now()
        elapsed = (time.monotonic() - started) * 1000
        line = (
            f"{_escape(str(client[0]).encode())} - - [{when}] "
            f'"{_escape(scope["method"].encode())} {_escape(target)} '
            f'HTTP/{scope.get("http_version", "1.1")}" {sent["status"]} {sent["bytes"]} '
            f'"{_escape(agent)}" {elapsed:.1f}ms\n'
        )
        self.log.write(line)
        self.log.flush()  # now: the answer may leave in this turn of the event loop

    def _now(self) -> str:
        """The time for the log line, formatted once a second (formatting took more than the
        rest of the line)."""
        second = int(time.time())
        if second != self._second:
            self._second = second
            self._when = time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(second))
        return self._when


_LOGGED_AS_IS = re.compile(rb"[\x20-\x21\x23-\x5b\x5d-\x7e]*")  # printable, no " or \


def _escape(value: bytes) -> str:
    """Bytes as printable ASCII: control characters, quotes, backslashes and non-ASCII
    escaped, so a request cannot forge or break log lines."""
    if _LOGGED_AS_IS.fullmatch(value):  # the usual case, without a loop over every byte
        return value.decode("ascii")
    out = []
    for byte in value:
        if 0x20 <= byte < 0x7F and byte not in (0x22, 0x5C):
            out.append(chr(byte))
        else:
            out.append(f"\\x{byte:02x}")
    return "".join(out)


def create_app(
    settings: ServerSettings,
    pool: WorkerPool,
    pages: WorkerPool,
    log: TextIO,
    process: int = 0,
    table: ProcessTable | None = None,
) -> Starlette:
    """The endpoint's ASGI application over the query pool and the page pool (both start
    and stop with it); ``process`` numbers the HTTP process (``/health`` says which), and
    ``table`` is where every HTTP process of the endpoint reports (:func:`process_table`;
    by default this process's own)."""
    endpoint = Endpoint(settings, pool, pages, process, table)
    static = files("filmgraph.server").joinpath("static")

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        try:
            # together: each waits until every pool of the endpoint holds one generation
            async with asyncio.TaskGroup() as starting:
                starting.create_task(pool.start())
                starting.create_task(pages.start())
            reporting = asyncio.create_task(endpoint.report_often())
            try:
                yield
            finally:
                reporting.cancel()
        finally:
            try:
                await pages.close()
            finally:
                await pool.close()

    routes = [
        Route("/", endpoint.index, methods=["GET"]),
        Route("/index.html", endpoint.index, methods=["GET"]),
        Route("/sparql", endpoint.sparql, methods=["GET", "POST"]),
        Route("/sparql", endpoint.read_only, methods=["PUT", "DELETE", "PATCH"]),
        Route("/health", endpoint.health, methods=["GET"]),
        Route("/ready", endpoint.ready, methods=["GET"]),
        Route("/context.jsonld", endpoint.context_document, methods=["GET"]),
        Route("/queries", endpoint.catalogue, methods=["GET"]),
        Route("/queries/{name:str}", endpoint.named, methods=["GET"]),
        Route("/id/{path:path}", endpoint.resource, methods=["GET"]),
        Route("/map/film/{slug:str}", endpoint.film_map, methods=["GET"]),
        # vis-network for the film pages' maps, from the viz package's own copy
        Mount("/static/viz", StaticFiles(packages=[("filmgraph.viz", "assets")])),
        Mount("/static", StaticFiles(directory=str(static), follow_symlink=False)),
    ]
    middleware = [
        Middleware(GuardMiddleware, log=log),
        Middleware(TrustedHostMiddleware, allowed_hosts=settings.hosts()),
        Middleware(
            CORSMiddleware,
            allow_origins=settings.origins(),
            allow_methods=["GET", "POST", "OPTIONS"],
            allow_headers=["Content-Type", "Accept"],
            expose_headers=[
                "X-Filmgraph-Truncated",
                "X-Filmgraph-Result-Limit",
                "X-Filmgraph-Generation",
                "X-Filmgraph-Answer",
                "Retry-After",
            ],
            max_age=86400,
        ),
    ]
    return Starlette(
        routes=routes,
        middleware=middleware,
        lifespan=lifespan,
        exception_handlers={HTTPException: _http_error},
    )
