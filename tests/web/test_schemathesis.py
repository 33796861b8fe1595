"""The API against its own OpenAPI description, with schemathesis (property-based: generated valid and invalid
requests), sent to a real uvicorn server on a free loopback port (the `live_server` fixture), not the ASGI app:
no server errors, responses match their documented schemas, status codes and content types.

Driven through schemathesis' Python API (each operation's hypothesis strategy), not its pytest plugin, which
does not run under pytest 9 (schemathesis 4.32: "'Function' object has no attribute '_nodeid'")."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable

schemathesis = pytest.importorskip("schemathesis")


def _operations(url):
    schema = schemathesis.openapi.from_url(url + "/openapi.json")
    return [r.ok() for r in schema.get_all_operations()]


@pytest.mark.parametrize("mode", ["positive", "negative"])
def test_api_conforms_to_its_openapi(live_server, mode):
    from schemathesis import GenerationMode

    ops = _operations(live_server)
    paths = {op.path for op in ops}
    assert {"/api/rankings", "/api/units/{code}", "/api/frameworks", "/api/map"} <= paths
    failures = []
    for op in ops:
        strategy = op.as_strategy(generation_mode=GenerationMode.POSITIVE if mode == "positive" else GenerationMode.NEGATIVE)

        @given(case=strategy)
        @settings(max_examples=60 if op.path != "/api/geo/counties" else 3, deadline=None,
                  suppress_health_check=list(HealthCheck), database=None)
        def run(case):
            case.call_and_validate()

        try:
            run()
        except Unsatisfiable:
            assert mode == "negative", op.path   # no invalid request exists (no parameters, or any string is valid)
        except Exception as e:  # noqa: BLE001 - collect every operation's failure, then report them together
            failures.append(f"{op.method.upper()} {op.path}: {e}")
    assert not failures, "\n\n".join(failures)
