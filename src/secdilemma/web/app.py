"""The lab's web application (FastAPI): the page, its static files, and a small JSON API.

- ``GET /`` the page; ``GET /static/...`` its script and style, and plotly.js from the
  installed plotly package (nothing is fetched from the network);
- ``POST /api/scenario`` validates a scenario (a bundled name, or an uploaded YAML text) with
  the page's overrides: its controls and YAML, or every problem with file, field and value;
- ``POST /api/runs`` starts a run (``compare``, ``attribute``, ``audit`` or ``robust``) off
  the request thread; ``GET /api/runs/{id}`` polls it; ``POST /api/runs/{id}/cancel`` cancels
  it; ``GET /api/runs/{id}/replicate/{k}`` one replicate's history; ``POST
  /api/clients/{client}/close`` cancels a closed tab's runs.

Each tab is a client (an id the page makes), and sees only its own runs. Requests are bounded
in size, and by default only the loopback host names are accepted (docs/lab.md).
"""

from __future__ import annotations

import hashlib
import html
import re
import tempfile
import threading
from contextlib import asynccontextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from fastapi import FastAPI, HTTPException
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.middleware.trustedhost import TrustedHostMiddleware

from secdilemma.engine.summary import json_safe
from secdilemma.errors import InputError, ScenarioError, bounded_repr
from secdilemma.experiments.extras import require
from secdilemma.model.scenario import (
    apply_overrides,
    bundled_names,
    load_scenario,
    read_raw,
    resolve_path,
)
from secdilemma.web.controls import controls_json
from secdilemma.web.jobs import Busy, Jobs

LOOPBACK = ("127.0.0.1", "localhost", "::1", "[::1]")
MAX_BODY = 3 * 2**20  # bytes of one request: a 2 MiB scenario, a policy file and the overrides
MAX_YAML = 2 * 2**20  # characters of an uploaded file (safe_yaml reads no more)
MAX_OVERRIDES = 1000
MAX_REPLICATES = 5000
# Replicates x steps x states^2 of one run. A comparison keeps its trajectories (three readings,
# nine pair variables in single precision: about 108 bytes per unit), so this holds one run
# near 1 GiB; the lab keeps its last eight runs (web/jobs.py).
MAX_WORK = 1e7
DEFAULT_REPLICATES = 200
NO_SOURCE = "<none>"  # the value shown when a request names no scenario
STATIC = resources.files("secdilemma.web") / "static"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Source(_Strict):
    """A bundled scenario by name, or the text of an uploaded YAML file."""

    bundled: str | None = Field(default=None, max_length=200)
    yaml: str | None = Field(default=None, max_length=MAX_YAML)
    filename: str = Field(default="upload.yaml", max_length=200)


class ScenarioRequest(_Strict):
    source: Source
    overrides: list[str] = Field(default_factory=list, max_length=MAX_OVERRIDES)


class RunRequest(ScenarioRequest):
    client: str = Field(pattern=r"^[A-Za-z0-9_-]{8,64}$")
    kind: Literal["compare", "attribute", "audit", "robust"] = "compare"
    replicates: int = Field(default=DEFAULT_REPLICATES, ge=1, le=MAX_REPLICATES)
    # attribute: outcome, restraint; audit: actor, action, target, at; robust: policies (YAML)
    options: dict[str, str | int | float | None] = Field(default_factory=dict, max_length=20)


@dataclass
class Loaded:
    path: Path  # the file the runs read (an upload is saved under the lab's folder)
    shown: str  # the file name errors give
    raw: dict[str, Any]  # the mapping with the overrides applied, as YAML shows it


class Uploads:
    """Uploaded scenario texts, saved once each (by content) in a private temporary folder, so
    that every tool reads them by path as the command line does."""

    def __init__(self) -> None:
        self._dir = tempfile.TemporaryDirectory(prefix="secdilemma-lab-")
        self.root = Path(self._dir.name)

    def save(self, text: str, filename: str, suffix: str = ".yaml") -> Path:
        digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:24]
        stem = re.sub(r"[^A-Za-z0-9_.-]", "_", Path(filename).stem)[:60] or "upload"
        folder = self.root / digest
        folder.mkdir(exist_ok=True)
        path = folder / f"{stem}{suffix}"
        if not path.exists():
            path.write_text(text, encoding="utf-8", errors="surrogatepass")
        return path

    def shown(self, text: str) -> str:
        """``text`` (an error message) with the private folder taken out of file names."""
        return re.sub(re.escape(str(self.root)) + r"/[0-9a-f]{24}/", "", text)

    def close(self) -> None:
        self._dir.cleanup()


def _problems(err: InputError, uploads: Uploads) -> list[dict[str, str]]:
    problems = err.problems if isinstance(err, ScenarioError) else [err]
    return [
        {
            "file": uploads.shown(p.source),
            "field": p.field,
            "value": bounded_repr(p.value),
            "problem": uploads.shown(p.problem),
        }
        for p in problems
    ]


def _load(request: ScenarioRequest, uploads: Uploads, first: str) -> Loaded:
    """The scenario a request names, with its overrides applied. A name must be bundled, or
    the file the server was started with: the page cannot make the server read other files."""
    source = request.source
    if (source.bundled is None) == (source.yaml is None):
        raise InputError("request", "source", NO_SOURCE, "give a bundled name or a YAML text")
    if source.bundled is not None:
        if source.bundled not in (*bundled_names(), first):
            raise InputError("request", "source.bundled", source.bundled, "no such scenario")
        path, shown = resolve_path(source.bundled), source.bundled
    else:
        path, shown = uploads.save(source.yaml, source.filename), Path(source.filename).name
    raw = apply_overrides(read_raw(path), request.overrides, str(path))
    return Loaded(path, shown, raw)


def _check_size(spec: Any, replicates: int) -> None:
    work = replicates * spec.steps * len(spec.states) ** 2
    if work > MAX_WORK:
        raise InputError(
            "request",
            "replicates",
            replicates,
            f"{replicates} replicates x {spec.steps} steps x {len(spec.states)}^2 states is more "
            "than the lab holds; run it with the command line",
        )


def _scenario_view(loaded: Loaded, overrides: list[str]) -> dict[str, Any]:
    spec = load_scenario(loaded.path, overrides)
    catalog = spec.action_catalog()
    return json_safe(
        {
            "ok": True,
            "name": spec.name,
            "file": loaded.shown,
            "description": spec.description,
            "ids": spec.ids,
            "steps": spec.steps,
            "start_year": spec.start_year,
            "replicates": spec.replicates,
            "record": [fact.description for fact in spec.record],
            "events": [e.model_dump() for e in spec.events],
            "actions": catalog.ids,
            "targeted": [catalog.ids[k] for k in catalog.aimed],
            "controls": controls_json(spec),
            "yaml": yaml.safe_dump(loaded.raw, sort_keys=False, allow_unicode=True),
        }
    )


class BodyLimit:
    """Refuse (413) a request whose body is larger than ``limit`` bytes, counted as it arrives
    (a missing or false Content-Length does not get past it)."""

    def __init__(self, app: Any, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            await JSONResponse({"detail": "request too large"}, 413)(scope, receive, send)
            return
        seen = 0

        async def bounded_receive() -> Any:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:
                raise HTTPException(413, "request too large")
            return message

        await self.app(scope, bounded_receive, send)


def create_app(
    scenario: str | None = None,
    allowed_hosts: tuple[str, ...] = LOOPBACK,
    workers: int = 2,
) -> FastAPI:
    """The lab. ``scenario``: the bundled name (or YAML path) the page opens with;
    ``allowed_hosts``: the Host names served (the loopback names unless the server was
    bound elsewhere on request)."""
    require("fastapi", "web", "secdilemma serve", "the lab")
    plotly = require("plotly", "web", "secdilemma serve", "the lab's plots")
    plotly_js = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    first = _first_source(scenario)
    jobs, uploads = Jobs(workers=workers), Uploads()
    stop = threading.Event()

    def reaper() -> None:
        while not stop.wait(2.0):
            jobs.reap()

    def warm() -> None:
        # The first run would otherwise pay for importing the engine and compiling its
        # kernels (Numba, where installed): pay it at start, off the request thread.
        from secdilemma.web.work import warm_up

        warm_up()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        threading.Thread(target=reaper, name="lab-reaper", daemon=True).start()
        threading.Thread(target=warm, name="lab-warm-up", daemon=True).start()
        yield
        stop.set()
        jobs.shutdown()
        uploads.close()

    app = FastAPI(title="secdilemma lab", lifespan=lifespan, docs_url=None, redoc_url=None)
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=list(allowed_hosts))
    app.add_middleware(BodyLimit, limit=MAX_BODY)
    app.state.jobs, app.state.uploads = jobs, uploads

    @app.get("/", response_class=HTMLResponse)
    def index() -> HTMLResponse:
        page = (STATIC / "lab.html").read_text(encoding="utf-8")
        return HTMLResponse(
            page.replace("{{FIRST}}", html.escape(first, quote=True)), headers=_NO_STORE
        )

    @app.get("/static/{name}")
    def static(name: str) -> Response:
        if name == "plotly.min.js":
            return FileResponse(plotly_js, media_type="text/javascript")
        if name not in ("lab.js", "lab.css"):
            raise HTTPException(404)
        kind = "text/javascript" if name.endswith(".js") else "text/css"
        return Response((STATIC / name).read_text(encoding="utf-8"), media_type=kind)

    @app.get("/api/scenarios")
    def scenarios() -> dict[str, Any]:
        return {"bundled": bundled_names(), "first": first}

    @app.post("/api/scenario")
    def scenario_view(request: ScenarioRequest) -> JSONResponse:
        try:
            loaded = _load(request, uploads, first)
            return JSONResponse(_scenario_view(loaded, request.overrides))
        except InputError as err:
            return JSONResponse({"ok": False, "errors": _problems(err, uploads)}, 422)

    @app.post("/api/runs")
    def start(request: RunRequest) -> JSONResponse:
        try:
            loaded = _load(request, uploads, first)
            spec = load_scenario(loaded.path, request.overrides)
            _check_size(spec, request.replicates)
            work = _work(request, loaded, uploads)
        except InputError as err:
            return JSONResponse({"ok": False, "errors": _problems(err, uploads)}, 422)
        try:
            job = jobs.submit(request.client, request.kind, work)
        except Busy as err:
            return JSONResponse({"ok": False, "errors": [_message(str(err))]}, 429)
        return JSONResponse({"ok": True, **job.state()})

    @app.get("/api/runs/{job_id}")
    def poll(job_id: str, client: str) -> JSONResponse:
        job = jobs.get(job_id, client)
        if job is None:
            raise HTTPException(404, "no such run")
        state = job.state()
        if job.status == "done":
            state["result"] = job.result.view
        elif job.status == "failed":
            state["error"] = uploads.shown(job.error or "")
        return JSONResponse(state, headers=_NO_STORE)

    @app.post("/api/runs/{job_id}/cancel")
    def cancel(job_id: str, client: str) -> dict[str, Any]:
        job = jobs.cancel(job_id, client)
        if job is None:
            raise HTTPException(404, "no such run")
        return job.state()

    @app.post("/api/clients/{client}/close")
    def close(client: str) -> dict[str, int]:
        return {"cancelled": jobs.close_client(client)}

    @app.get("/api/runs/{job_id}/replicate/{k}")
    def replicate(job_id: str, k: int, client: str, reading: str = "structural") -> JSONResponse:
        from secdilemma.web.views import replicate_view

        job = jobs.get(job_id, client)
        if job is None or job.status != "done" or job.kind != "compare":
            raise HTTPException(404, "no finished comparison with that id")
        ensembles = job.result.comparison.ensembles
        if reading not in ensembles:
            raise HTTPException(404, f"no reading {reading!r}; readings: {list(ensembles)}")
        try:
            return JSONResponse(replicate_view(ensembles[reading], k))
        except IndexError as err:
            raise HTTPException(404, str(err)) from None

    return app


_NO_STORE = {"Cache-Control": "no-store"}


def _message(text: str) -> dict[str, str]:
    return {"file": "", "field": "", "value": "", "problem": text}


def _first_source(scenario: str | None) -> str:
    """The scenario the page opens with: a bundled name (a path is checked now, so that a
    missing file fails the command, not the page)."""
    if scenario is None:
        return "two-security-seekers"
    path = resolve_path(scenario)
    if scenario in bundled_names():
        return scenario
    read_raw(path)
    return str(path)


@dataclass
class Background:
    """A lab served from a thread of this process (for notebooks, benchmarks and tests)."""

    server: Any
    thread: threading.Thread
    url: str

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def serve_in_background(app: FastAPI | None = None, timeout: float = 30.0) -> Background:
    """Serve ``app`` (default: a new lab) on a free loopback port, from a daemon thread."""
    import socket
    import time

    uvicorn = require("uvicorn", "web", "the lab", "the lab's server")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = uvicorn.Config(app or create_app(), host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="lab-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the lab did not start")
        time.sleep(0.05)
    return Background(server, thread, f"http://127.0.0.1:{port}")


@dataclass
class Result:
    view: Any  # what the page gets (JSON-safe)
    comparison: Any = None  # a compare run's ensembles, for its replicates' histories


def _work(request: RunRequest, loaded: Loaded, uploads: Uploads):
    """The run ``request`` asks for, as a function of ``report(done, total)``."""
    from secdilemma.web import work

    scenario, overrides, n = str(loaded.path), request.overrides, request.replicates
    options = request.options
    if request.kind == "compare":
        return lambda report: Result(*work.compare_run(scenario, overrides, n, report))
    if request.kind == "attribute":
        return lambda report: Result(work.attribute_run(scenario, overrides, n, options, report))
    if request.kind == "audit":
        work.check_audit(scenario, overrides, options)
        return lambda report: Result(work.audit_run(scenario, overrides, n, options, report))
    work.check_robust(overrides)
    text = options.get("policies")
    if not isinstance(text, str) or not text.strip():
        raise InputError("request", "options.policies", NO_SOURCE, "upload a policy file")
    policies = uploads.save(text, str(options.get("policies_name") or "policies"), ".yaml")
    # One sweep store per scenario and policy file: a rerun resumes it.
    key = hashlib.sha256(f"{scenario}\n{text}".encode("utf-8", "surrogatepass")).hexdigest()
    folder = uploads.root / f"robust-{key[:16]}"
    return lambda report: Result(work.robust_run(scenario, policies, folder, report))
