"""The HTTP side of the endpoint, on the standard library's ``ThreadingHTTPServer``.

Why the standard library: the endpoint's work happens in the query worker processes
(:mod:`filmgraph.server.workers`); the HTTP process only routes, checks sizes and copies
bytes, which ``http.server`` does with no dependency and no event loop to reconcile with
blocking pipes. Each connection gets a thread; HTTP/1.1 keep-alive is on.

Routes::

    GET  /                  the query page
    GET|POST /sparql        SPARQL 1.1 Protocol (read-only)
    GET  /queries           the named queries (JSON)
    GET  /queries/NAME?p=v  one named query, parameters from the URL
    GET  /id/KIND/SLUG      a resource (HTML, Turtle, JSON-LD by content negotiation)
    GET  /static/FILE       the page's script and style
    GET  /context.jsonld    the JSON-LD context
    GET  /health            200 once the store is open
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TextIO

from filmgraph.export.jsonld import filmgraph_context
from filmgraph.iri import KINDS
from filmgraph.namespaces import ID
from filmgraph.server.answers import Job
from filmgraph.server.formats import Reply
from filmgraph.server.pages import STATIC_FILES, static_file
from filmgraph.server.settings import ServerSettings
from filmgraph.server.workers import WorkerPool

__all__ = ["EndpointServer", "Handler"]

_RESOURCE = re.compile(r"^/id/([a-z][a-z-]*)/([a-z0-9]+(?:-[a-z0-9]+)*)$")
_NAMED = re.compile(r"^/queries/([a-z0-9]+(?:-[a-z0-9]+)*)$")
_STATIC = re.compile(r"^/static/((?:[a-z0-9-]+/)*[a-z0-9-]+(?:\.[a-z0-9]+)+)$")
_FORM = "application/x-www-form-urlencoded"


class EndpointServer(ThreadingHTTPServer):
    """The HTTP server: settings, the worker pool and the access log travel with it."""

    daemon_threads = True
    request_queue_size = 128

    def __init__(self, settings: ServerSettings, pool: WorkerPool, log: TextIO) -> None:
        self.settings = settings
        self.pool = pool
        self.log = log
        self.log_lock = threading.Lock()
        self.context = json.dumps({"@context": filmgraph_context()}, indent=1).encode("utf-8")
        super().__init__((settings.host, settings.port), Handler)


class Handler(BaseHTTPRequestHandler):
    """One request: route it, check it, hand queries to a worker, log it."""

    server: EndpointServer
    protocol_version = "HTTP/1.1"
    server_version = "filmgraph"

    # -- entry points ---------------------------------------------------------------------

    def do_GET(self) -> None:
        self._handle("GET")

    def do_HEAD(self) -> None:
        self._handle("HEAD")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_OPTIONS(self) -> None:
        self._started = time.monotonic()
        self._send(Reply(204, "text/plain", b"", {
            "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
            "Access-Control-Allow-Headers": "Content-Type, Accept",
            "Access-Control-Max-Age": "86400",
        }))

    def do_PUT(self) -> None:
        self._refuse_method()

    def do_DELETE(self) -> None:
        self._refuse_method()

    def do_PATCH(self) -> None:
        self._refuse_method()

    def log_message(self, format: str, *args: object) -> None:
        """Silence http.server's own log: :meth:`_log` writes one line per request."""

    # -- routing --------------------------------------------------------------------------

    def _refuse_method(self) -> None:
        self._started = time.monotonic()
        self._send(Reply.error(405, "this endpoint is read-only: use GET or POST"),
                   {"Allow": "GET, HEAD, POST, OPTIONS"})

    def _handle(self, method: str) -> None:
        self._started = time.monotonic()
        raw_path, _, raw_query = self.path.partition("?")
        if ".." in raw_path or "%" in raw_path or "//" in raw_path or "\\" in raw_path:
            self._send(Reply.error(400, "path refused: no '..', encoded characters or empty "
                                        "segments in paths"))
            return
        try:
            params = urllib.parse.parse_qs(raw_query, keep_blank_values=True, strict_parsing=False,
                                           max_num_fields=100)
        except ValueError as exc:
            self._send(Reply.error(400, f"bad query string: {exc}"))
            return
        reply = self._route(method, raw_path, params)
        self._send(reply, head_only=method == "HEAD")

    def _route(self, method: str, path: str, params: dict[str, list[str]]) -> Reply:
        settings = self.server.settings
        if path == "/sparql":
            return self._sparql(method, params)
        if method == "POST":
            return Reply.error(405, "POST is only for /sparql")
        if path in ("/", "/index.html"):
            return Reply(200, STATIC_FILES["query.html"], static_file("query.html"))
        if path == "/health":
            ready = self.server.pool.ready.is_set()
            body = json.dumps({"status": "ok" if ready else "starting",
                               "workers": self.server.pool.size,
                               "time_limit": settings.time_limit,
                               "result_limit": settings.result_limit,
                               "stopped_queries": self.server.pool.stopped})
            return Reply(200 if ready else 503, "application/json", body.encode())
        if path == "/context.jsonld":
            return Reply(200, "application/ld+json", self.server.context)
        if path == "/queries":
            return self.server.pool.run(Job("catalogue"))
        if match := _STATIC.match(path):
            name = match.group(1)
            if name not in STATIC_FILES:
                return Reply.error(404, f"no static file {name}")
            return Reply(200, STATIC_FILES[name], static_file(name))
        if match := _NAMED.match(path):
            values = {k: v[-1] for k, v in params.items() if k != "format"}
            return self.server.pool.run(Job("named", name=match.group(1), params=values,
                                            accept=self.headers.get("Accept", ""),
                                            fmt=_one(params, "format")))
        if path.startswith("/id/"):
            match = _RESOURCE.match(path)
            if not match:
                return Reply.error(400, "not a resource path: expected /id/KIND/SLUG with a "
                                        "lowercase slug of letters, digits and hyphens")
            if match.group(1) not in KINDS:
                return Reply.error(404, f"no kind of resource {match.group(1)!r}")
            accept = self.headers.get("Accept", "") or "text/html"
            return self.server.pool.run(Job("resource", name=f"{ID}{path[len('/id/'):]}",
                                            accept=accept, fmt=_one(params, "format")))
        return Reply.error(404, f"nothing at {path}")

    def _sparql(self, method: str, params: dict[str, list[str]]) -> Reply:
        settings = self.server.settings
        if "update" in params:
            return Reply.error(403, "this endpoint is read-only: SPARQL Update is refused")
        if "default-graph-uri" in params or "named-graph-uri" in params:
            return Reply.error(400, "default-graph-uri and named-graph-uri are not supported: "
                                    "the default graph is the union of every named graph")
        text = _one(params, "query")
        if method == "POST":
            body = self._body()
            if isinstance(body, Reply):
                return body
            content_type = self.headers.get("Content-Type", "").split(";")[0].strip().lower()
            if content_type == "application/sparql-update":
                return Reply.error(403, "this endpoint is read-only: SPARQL Update is refused")
            if content_type == "application/sparql-query":
                text = body.decode("utf-8", "replace")
            elif content_type == _FORM:
                form = urllib.parse.parse_qs(body.decode("utf-8", "replace"),
                                             keep_blank_values=True, max_num_fields=100)
                if "update" in form:
                    return Reply.error(403, "this endpoint is read-only: SPARQL Update is refused")
                if "default-graph-uri" in form or "named-graph-uri" in form:
                    return Reply.error(400, "default-graph-uri and named-graph-uri are not "
                                            "supported")
                text = _one(form, "query") or text
            else:
                return Reply.error(415, "POST a query as application/sparql-query or as "
                                        "application/x-www-form-urlencoded with query=")
        if not text:
            return Reply.error(400, "no query: pass query=… (GET or form POST) or POST "
                                    "application/sparql-query")
        if len(text.encode("utf-8")) > settings.max_query_bytes:
            return Reply.error(413, f"query too long: at most {settings.max_query_bytes} bytes")
        return self.server.pool.run(Job("sparql", text=text, accept=self.headers.get("Accept", ""),
                                        fmt=_one(params, "format")))

    def _body(self) -> bytes | Reply:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            self.close_connection = True
            return Reply.error(411, "send a Content-Length; chunked bodies are not accepted")
        length = self.headers.get("Content-Length")
        if length is None:
            return Reply.error(411, "a POST needs a Content-Length")
        try:
            size = int(length)
        except ValueError:
            return Reply.error(400, "Content-Length is not a number")
        if size < 0:
            return Reply.error(400, "Content-Length is negative")
        if size > self.server.settings.max_body_bytes:
            self.close_connection = True  # the unread body must not be taken for a request
            return Reply.error(413, f"request body too large: at most "
                                    f"{self.server.settings.max_body_bytes} bytes")
        return self.rfile.read(size)

    # -- answering ------------------------------------------------------------------------

    def _send(self, reply: Reply, extra: dict[str, str] | None = None,
              head_only: bool = False) -> None:
        self.send_response(reply.status)
        headers = {
            "Content-Type": reply.content_type,
            "Content-Length": str(len(reply.body)),
            "Access-Control-Allow-Origin": "*",
            "Access-Control-Expose-Headers": "X-Filmgraph-Truncated, X-Filmgraph-Result-Limit",
            "Vary": "Accept",
            "X-Content-Type-Options": "nosniff",
            **reply.headers, **(extra or {}),
        }
        if self.close_connection:
            headers["Connection"] = "close"
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()
        if not head_only:
            self.wfile.write(reply.body)
        self._log(reply)

    def _log(self, reply: Reply) -> None:
        elapsed = (time.monotonic() - getattr(self, "_started", time.monotonic())) * 1000
        when = dt.datetime.now(dt.UTC).strftime("%d/%b/%Y:%H:%M:%S +0000")
        agent = self.headers.get("User-Agent", "-") if self.headers else "-"
        line = (f'{self.client_address[0]} - - [{when}] "{self.requestline}" {reply.status} '
                f'{len(reply.body)} "{agent}" {elapsed:.1f}ms\n')
        with self.server.log_lock:
            self.server.log.write(line)
            self.server.log.flush()


def _one(params: dict[str, list[str]], key: str) -> str:
    values = params.get(key)
    return values[-1] if values else ""


def default_log() -> TextIO:
    """Where the access log goes unless a file is given."""
    return sys.stderr
