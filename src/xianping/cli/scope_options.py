"""The evaluation scope on the command line (evaluate, analyse whatif, robust …): --scope, --within,
--include-districts, --force-tiers → the `scope` and `tiers.force` settings (evaluation.scope)."""

from __future__ import annotations

from typing import Any, Optional

import typer

SCOPE = typer.Option(None, "--scope", help="Units evaluated and ranked: all (every county-level unit; default) | county "
                     "(县域: 县, 自治县, 旗, 自治旗, 县级市, 特区, 林区; no 市辖区). Units outside are left out of the evaluation.")
WITHIN = typer.Option(None, "--within", help="Rank within: province:41 | prefecture:4108 | none | auto (default: the province "
                      "when every unit lies in one, as 全省前30位).")
INCLUDE_DISTRICTS = typer.Option(None, "--include-districts", help="With --scope county: 市辖区 codes a province counts as "
                                 "县域, comma-separated (e.g. 330109,330110).")
FORCE_TIERS = typer.Option(False, "--force-tiers", help="Keep --tiers top_n:N even when N ≥ the units in scope "
                           "(otherwise an error: every unit would be in 第一方阵).")


def scope_settings(st: dict[str, Any], scope: Optional[str], within: Optional[str], include_districts: Optional[str],
                   force_tiers: bool = False) -> dict[str, Any]:
    """Settings (from --settings and the other options) with the scope options laid over them; a bad value is a
    located error (evaluation.scope) before any data is read."""
    from xianping.evaluation.scope import reject_unknown

    given = st.get("scope")
    sc: dict[str, Any] = dict(given) if isinstance(given, dict) else ({"units": given} if isinstance(given, str) else {})
    if scope is not None:
        sc["units"] = scope
    if within is not None:
        sc["within"] = within
    if include_districts is not None:
        sc["include_districts"] = [c.strip() for c in include_districts.replace("，", ",").split(",") if c.strip()]
    if sc:
        reject_unknown(sc)
        st["scope"] = sc
    if force_tiers:
        st["tiers"] = {**(st.get("tiers") or {"method": "top_n", "n": 30}), "force": True}
    return st


def scope_line(scope: dict[str, Any] | None) -> str:
    """One console line: 范围 scope: 河南省 县域 · 104 units (省内排名) · 53 left out (市辖区 53)."""
    if not scope:
        return ""
    out = scope.get("kinds_out") or {}
    left = (f" · {scope['units_out']} left out (" + ", ".join(f"{k} {n}" for k, n in out.items()) + ")") if scope.get("units_out") else ""
    return f"范围 scope: {scope.get('label', '')} · {scope.get('units_in', '')} units ranked ({scope.get('rank_label', '')}){left}"
