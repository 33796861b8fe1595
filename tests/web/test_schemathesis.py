"""The API against its own OpenAPI description, with schemathesis (property-based: generated valid and invalid
requests), sent to a real uvicorn server on a free loopback port (the `live_server` fixture), not the ASGI app:
no server errors, responses match their documented schemas, status codes and content types.

Driven through schemathesis' Python API (each operation's hypothesis strategy), not its pytest plugin, which
does not run under pytest 9 (schemathesis 4.32: "'Function' object has no attribute '_nodeid'")."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable

schemathesis = pytest.importorskip("schemathesis")


WHATIF = "/api/units/{code}/whatif"
WHATIF_COUNTY = "410821"


def _bounded_whatif(strategy):
    """Valid what-if requests for one real county and two targets, besides the generated (unknown) codes.

    A generated code is almost never a county, so the 200 answer would go unchecked; and each distinct
    (county, year, target) is a fresh what-if — 60–130 national re-evaluations, 1–3 s — so random counties and
    ranks would make this one operation take minutes. Here: ≤ 2 years × 2 targets = 4 answers computed (national rank
    scope), then cached."""
    def real(args):
        case, code, target = args
        if code is not None:
            case.path_parameters = {**(case.path_parameters or {}), "code": code}
            q = dict(case.query or {})
            q.pop("target", None)
            q.pop("scope", None)  # a rank scope is a fresh what-if too (and a prefecture may rank fewer than the target);
            # tests/web/test_whatif.py checks scope=province against analysis.what_if
            if target is not None:
                q["target"] = target
            case.query = q
        return case

    return st.tuples(strategy, st.sampled_from([None, WHATIF_COUNTY]), st.sampled_from([None, 10])).map(real)


def _operations(url):
    schema = schemathesis.openapi.from_url(url + "/openapi.json")
    return [r.ok() for r in schema.get_all_operations()]


@pytest.mark.parametrize("mode", ["positive", "negative"])
def test_api_conforms_to_its_openapi(live_server, mode):
    from schemathesis import GenerationMode

    ops = _operations(live_server)
    paths = {op.path for op in ops}
    assert {"/api/rankings", "/api/units/{code}", "/api/frameworks", "/api/map", WHATIF} <= paths
    failures = []
    for op in ops:
        strategy = op.as_strategy(generation_mode=GenerationMode.POSITIVE if mode == "positive" else GenerationMode.NEGATIVE)
        if op.path == WHATIF and mode == "positive":
            strategy = _bounded_whatif(strategy)

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
