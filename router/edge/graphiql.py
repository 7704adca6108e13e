"""GraphiQL for analysts at GET /graphql (browsers), with its assets served by the router itself."""

from __future__ import annotations

import hashlib
import os
from functools import cache
from pathlib import Path

import orjson

from router.asgi import Scope, Send

__all__ = ["ASSETS", "EXAMPLE_TABS", "GraphiQL", "graphiql_enabled"]

STATIC = Path(__file__).resolve().parent.parent / "static"
#: The only files served under /graphiql/ (UMD builds of graphiql@3, react@18, react-dom@18).
ASSETS: dict[str, bytes] = {
    "graphiql.min.js": b"text/javascript; charset=utf-8",
    "graphiql.min.css": b"text/css; charset=utf-8",
    "react.production.min.js": b"text/javascript; charset=utf-8",
    "react-dom.production.min.js": b"text/javascript; charset=utf-8",
}
_HEADERS_HINT = '{"Authorization": "Bearer <token>"}'
#: Default tabs: the statistics queries of our supergraph (schema/supergraph.graphql).
EXAMPLE_TABS: tuple[tuple[str, str], ...] = (
    (
        "query SystemStatistics {\n  systemStatistics {\n    generatedAt\n"
        "    usersByRole { key count suppressed }\n    institutionsByType { key count suppressed }\n"
        "    doctorsByStatus { key count suppressed }\n    patientsByGender { key count suppressed }\n"
        "    patientsByAgeBand { key count suppressed }\n    unavailable\n  }\n}\n",
        "",
    ),
    (
        "query InstitutionStatistics($filter: InstitutionFilterInput) {\n"
        "  institutionStatistics(filter: $filter) {\n    total verified unverified active\n"
        "    byType { institutionType count }\n    byRegion { region count }\n"
        "    newPerMonth { month count }\n  }\n}\n",
        '{"filter": null}',
    ),
    (
        "query DoctorStatistics($filter: DoctorFilterInput) {\n"
        "  doctorStatistics(filter: $filter) {\n    total active\n"
        "    bySpecialty { specialty { name } count }\n    byStatus { status count }\n"
        "    byLicenseStatus { status count }\n  }\n}\n",
        '{"filter": {"isActive": true}}',
    ),
)
# Asset URLs carry a content hash, so a year of caching is safe across upgrades.
_LONG_CACHE = b"public, max-age=31536000, immutable"

_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>PredictHealth GraphiQL</title>
<style>body {{ margin: 0; height: 100vh; }} #graphiql {{ height: 100vh; }}</style>
<link rel="stylesheet" href="{css}">
<script src="{react}"></script>
<script src="{react_dom}"></script>
<script src="{graphiql}"></script>
</head>
<body>
<div id="graphiql">Loading GraphiQL…</div>
<script>
(function () {{
  var config = {config};
  var endpoint = window.location.pathname;
  // POST with a JSON content type: a preflighted request, so the router's CSRF check passes.
  function fetcher(params, options) {{
    var given = Object.assign({{}}, (options && options.headers) || {{}});
    // The untouched hint is no credential: drop it rather than fail authentication.
    Object.keys(given).forEach(function (name) {{
      if (String(given[name]).indexOf("<token>") !== -1) delete given[name];
    }});
    var headers = Object.assign(given, {{
      "content-type": "application/json",
      "accept": "application/graphql-response+json, application/json",
      "apollo-require-preflight": "true"
    }});
    return fetch(endpoint, {{
      method: "POST", headers: headers, body: JSON.stringify(params), credentials: "same-origin"
    }}).then(function (response) {{ return response.json(); }});
  }}
  var root = ReactDOM.createRoot(document.getElementById("graphiql"));
  root.render(React.createElement(GraphiQL, {{
    fetcher: fetcher,
    defaultHeaders: config.headers,
    defaultTabs: config.tabs,
    defaultEditorToolsVisibility: "headers",
    shouldPersistHeaders: false
  }}));
}})();
</script>
</body>
</html>
"""


def graphiql_enabled(setting: bool) -> bool:
    """The setting, but never in production (ENVIRONMENT=production)."""
    return setting and os.environ.get("ENVIRONMENT", "").lower() != "production"


@cache
def _asset(name: str) -> tuple[bytes, str]:
    data = (STATIC / name).read_bytes()
    return data, hashlib.sha256(data).hexdigest()[:16]


def _url(name: str) -> str:
    return f"/graphiql/{name}?v={_asset(name)[1]}"


@cache
def _page() -> bytes:
    config = {
        "headers": _HEADERS_HINT,
        "tabs": [
            {"query": query, "variables": variables, "headers": _HEADERS_HINT}
            for query, variables in EXAMPLE_TABS
        ],
    }
    # `</` inside a script element would end it early.
    embedded = orjson.dumps(config).decode().replace("</", "<\\/")
    html = _PAGE.format(
        css=_url("graphiql.min.css"),
        react=_url("react.production.min.js"),
        react_dom=_url("react-dom.production.min.js"),
        graphiql=_url("graphiql.min.js"),
        config=embedded,
    )
    return html.encode()


class GraphiQL:
    """Answers browser GETs of /graphql with the IDE and GETs of /graphiql/<asset>; else declines."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = graphiql_enabled(enabled)

    async def maybe_serve(self, scope: Scope, send: Send) -> bool:
        if not self.enabled or scope.get("method") not in ("GET", "HEAD"):
            return False
        path: str = scope.get("path", "")
        if path.startswith("/graphiql/"):
            name = path.removeprefix("/graphiql/")
            if name not in ASSETS:
                await _send(
                    send,
                    scope,
                    status=404,
                    content_type=b"text/plain; charset=utf-8",
                    body=b"Not found",
                    extra=[],
                )
                return True
            data, _ = _asset(name)
            await _send(
                send,
                scope,
                status=200,
                content_type=ASSETS[name],
                body=data,
                extra=[(b"cache-control", _LONG_CACHE)],
            )
            return True
        if path not in ("/graphql", "/") or not _wants_html(scope):
            return False
        headers = [(b"cache-control", b"no-cache"), (b"x-content-type-options", b"nosniff")]
        await _send(
            send,
            scope,
            status=200,
            content_type=b"text/html; charset=utf-8",
            body=_page(),
            extra=headers,
        )
        return True


def _wants_html(scope: Scope) -> bool:
    for key, value in scope.get("headers", ()):
        if key.lower() == b"accept":
            return b"text/html" in value.lower()
    return False


async def _send(
    send: Send,
    scope: Scope,
    *,
    status: int,
    content_type: bytes,
    body: bytes,
    extra: list[tuple[bytes, bytes]],
) -> None:
    headers = [
        (b"content-type", content_type),
        (b"content-length", str(len(body)).encode()),
        *extra,
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send(
        {"type": "http.response.body", "body": b"" if scope.get("method") == "HEAD" else body}
    )
