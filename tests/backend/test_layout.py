"""The backend's layout (issue 16, one owner per idea): layers, routes apart, the access log
apart from thread pools and verdicts, one record of an analysis, one presentation of the
decision rule, operation ids."""

from __future__ import annotations

import ast
from pathlib import Path

from backend.main import create_app
from backend.schemas import HistoryItem
from backend.services.history import Analysis

BACKEND = Path(__file__).resolve().parents[2] / "backend"
ENTRY_POINTS = {
    "__init__.py",
    "__main__.py",
    "main.py",
    "worker.py",
    "settings_docs.py",
    "schemas.py",
}


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
    return names


def test_backend_is_layered() -> None:
    """Entry points and the HTTP schemas at the top; the rest in core, middleware, services
    and api."""
    assert {p.name for p in BACKEND.glob("*.py")} == ENTRY_POINTS
    assert {p.name for p in BACKEND.iterdir() if p.is_dir() and p.name != "__pycache__"} == {
        "api",
        "core",
        "middleware",
        "services",
        "migrations",
        "templates",
    }


def _layer_imports(layer: str) -> dict[str, set[str]]:
    """The backend layers each module of `layer` imports ("core", "services", ...)."""
    return {
        str(path.relative_to(BACKEND)): {
            name.split(".")[1] for name in _imports(path) if name.startswith("backend.")
        }
        for path in (BACKEND / layer).rglob("*.py")
    }


def test_imports_flow_from_api_to_services_to_core() -> None:
    """api -> services -> core: core knows no service (but the lifespan, which starts
    them), services know no route or middleware, middleware no route or service."""
    for path, layers in _layer_imports("core").items():
        if path != "core/lifespan.py":
            assert not layers & {"services", "api", "middleware"}, path
    for path, layers in _layer_imports("services").items():
        assert not layers & {"api", "middleware"}, path
    for path, layers in _layer_imports("middleware").items():
        assert not layers & {"api", "services"}, path


def test_the_job_routes_do_not_know_which_queue_they_have() -> None:
    """Both queues are a `VideoJobQueue` (backend/services/video_jobs.py)."""
    imported = _imports(BACKEND / "api" / "routes" / "jobs.py") | _imports(
        BACKEND / "api" / "deps.py"
    )
    assert not imported & {"backend.services.jobs", "backend.services.job_queue"}


def test_route_modules_do_not_import_each_other() -> None:
    for path in (BACKEND / "api" / "routes").glob("*.py"):
        assert not any(name.startswith("backend.api.routes") for name in _imports(path)), path


def test_the_access_log_is_no_home_of_pools_or_verdicts() -> None:
    imported = set()
    for path in BACKEND.rglob("*.py"):
        imported |= {n for n in _imports(path) if n.startswith("backend.middleware.request_log")}
    assert imported <= {
        "backend.middleware.request_log",
        "backend.middleware.request_log.RequestLogMiddleware",
    }


def test_the_history_columns_are_the_records_fields() -> None:
    assert set(Analysis.__table__.columns.keys()) == set(HistoryItem.model_fields)


def test_the_decision_band_is_made_in_one_function() -> None:
    makers = []
    for path in BACKEND.rglob("*.py"):
        tree = ast.parse(path.read_text())
        for function in ast.walk(tree):
            if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                makers += [
                    (path.name, function.name)
                    for call in ast.walk(function)
                    if isinstance(call, ast.Call)
                    and isinstance(call.func, ast.Name)
                    and call.func.id == "DecisionBand"
                ]
    assert makers == [("presenters.py", "decision_band")]


def test_operation_ids_are_the_handlers_names(make_settings) -> None:
    schema = create_app(make_settings()).openapi()
    ids = [op["operationId"] for path in schema["paths"].values() for op in path.values()]
    assert len(ids) == len(set(ids))
    assert {
        "predict_image",
        "predict_batch",
        "predict_video",
        "create_video_job",
        "read_job",
        "read_history",
        "delete_analysis",
        "read_info",
    } <= set(ids)
