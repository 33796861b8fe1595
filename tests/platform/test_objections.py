"""异议 during 公示: a county objects to its own value (text, evidence through evidence.py's checks); the admin
dismisses one and upholds another with a corrected value — the value changes with its audit row (old → new, the
objection as reason) and the result is recomputed under a new data version, the log saying why."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from platform_fixtures import *  # noqa: F401,F403 (its fixtures)
from test_compute import admin_of, build_programme

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def in_publicity(plat):
    from xianping.platform.workflow import compute

    jz = build_programme(plat)
    admin = admin_of(plat)
    with plat.sessions() as db:
        compute.compute(db, admin, jz.programme_id, plat.folder)
        compute.start_publicity(db, admin, jz.programme_id)
    return jz, admin


def test_objection_upheld_changes_the_value_and_recomputes_with_the_trail(plat):
    from sqlalchemy import select

    from xianping.platform.db.models import AuditLog, DataValue, EvidenceFile, Objection, Programme, Result
    from xianping.platform.workflow import compute, objections

    jz, admin = in_publicity(plat)
    boai = admin_of(plat, "boai")
    vid = jz.value_ids[("410822", "income_rural")]
    with plat.sessions() as db:
        before = compute.current_result(db, jz.programme_id)
        v0, old_rank = before.data_version, {r["unit_code"]: r["rank"] for r in compute.ranking(plat.folder, before)}
        o = objections.file(db, boai, vid, "农村居民收入按2025年统计公报应为 39,000 元", folder=plat.folder,
                            evidence=("统计公报.pdf", PDF))
        ev = db.get(EvidenceFile, o.evidence_file_id)
        assert ev.content_type == "application/pdf" and (plat.folder / ev.path).read_bytes() == PDF
        with pytest.raises(compute.WorkflowRefused) as e:   # evidence.py's checks: a renamed text file is refused
            objections.file(db, boai, vid, "again", folder=plat.folder, evidence=("x.pdf", b"hello"))
        assert e.value.status == 422 and "not a PDF" in str(e.value)
        objections.resolve(db, admin, o.id, "upheld", "按统计公报更正", value=39000.0, folder=plat.folder)
        assert db.get(DataValue, vid).value == 39000.0
        assert db.get(Objection, o.id).status == "upheld"
        after = compute.current_result(db, jz.programme_id)
        assert after.id != before.id and after.data_version != v0 and after.status == "publicity"
        assert after.manifest["recomputed_for"] == {"objection_id": o.id, "previous_result_id": before.id,
                                                    "previous_data_version": v0}
        assert after.manifest["publicity"] == before.manifest["publicity"]   # the same 公示 continues
        assert db.get(Programme, jz.programme_id).status == "publicity"
        new_rank = {r["unit_code"]: r["rank"] for r in compute.ranking(plat.folder, after)}
        assert new_rank["410822"] < old_rank["410822"]   # 39,000 is the highest rural income: 博爱 moves up
        # the trail: the value's old → new with the objection as reason, and the recompute saying why
        corr = db.scalars(select(AuditLog).where(AuditLog.action == "value.correct")).one()
        assert corr.entity == "data_value" and corr.entity_id == str(vid) and corr.actor_name == "jz_admin"
        assert json.loads(corr.old) == jz.values[("410822", "income_rural")] and json.loads(corr.new) == 39000.0
        assert corr.reason.startswith(f"objection {o.id} upheld: 农村居民收入按2025年统计公报应为")
        rec = db.scalars(select(AuditLog).where(AuditLog.action == "result.compute", AuditLog.entity_id == str(after.id))).one()
        assert rec.reason == corr.reason and json.loads(rec.new)["data_version"] == after.data_version
        sup = db.scalars(select(AuditLog).where(AuditLog.action == "result.supersede")).one()
        assert sup.entity_id == str(before.id) and v0[:12] in sup.reason
        with pytest.raises(compute.WorkflowRefused) as e:
            objections.resolve(db, admin, o.id, "dismissed", "twice")
        assert e.value.status == 409
        assert db.scalar(select(Result.id).where(Result.id == before.id)) is not None   # the earlier result is kept


def test_dismissed_changes_nothing_but_the_objection(plat):
    from xianping.platform.db.models import DataValue, Objection, Result
    from xianping.platform.workflow import compute, objections

    jz, admin = in_publicity(plat)
    boai = admin_of(plat, "boai")
    vid = jz.value_ids[("410822", "gdp_per_capita")]
    with plat.sessions() as db:
        o = objections.file(db, boai, vid, "人均GDP口径有误")
        with pytest.raises(compute.WorkflowRefused) as e:
            objections.resolve(db, admin, o.id, "dismissed", "  ")
        assert e.value.status == 422
        objections.resolve(db, admin, o.id, "dismissed", "口径与统计年鉴一致")
        assert db.get(Objection, o.id).status == "dismissed" and db.get(Objection, o.id).resolution == "口径与统计年鉴一致"
        assert db.get(DataValue, vid).value == jz.values[("410822", "gdp_per_capita")]
        assert db.query(Result).count() == 1


def test_who_may_object_and_when(plat):
    from xianping.platform.db.models import Objection
    from xianping.platform.workflow import compute, objections

    jz = build_programme(plat)
    admin, boai, wen, rev = (admin_of(plat, u) for u in ("jz_admin", "boai", "wenxian", "jz_rev"))
    own, other = jz.value_ids[("410822", "budget_revenue")], jz.value_ids[("410825", "budget_revenue")]
    with plat.sessions() as db:
        compute.compute(db, admin, jz.programme_id, plat.folder)
        with pytest.raises(compute.WorkflowRefused) as e:   # before 公示
            objections.file(db, boai, own, "too early")
        assert e.value.status == 409 and "during 公示" in str(e.value)
        compute.start_publicity(db, admin, jz.programme_id)
        with pytest.raises(compute.WorkflowRefused) as e:   # another county's value: as if it did not exist
            objections.file(db, boai, other, "not mine")
        assert e.value.status == 404
        with pytest.raises(compute.WorkflowRefused) as e:
            objections.file(db, rev, own, "a reviewer")
        assert e.value.status == 403
        with pytest.raises(compute.WorkflowRefused) as e:   # after the 公示期
            objections.file(db, boai, own, "too late", now=compute.utcnow() + timedelta(days=8))
        assert e.value.status == 409 and "ended" in str(e.value)
        with pytest.raises(compute.WorkflowRefused) as e:
            objections.file(db, boai, own, "x" * 2001)
        assert e.value.status == 422
        a = objections.file(db, boai, own, "博爱")
        objections.file(db, wen, other, "温县")
        seen = {u: {o.id for o, _, _ in objections.visible(db, admin_of(plat, u))} for u in ("jz_admin", "boai", "jz_rev", "hb_admin", "jz_viewer")}
        assert seen["boai"] == {a.id} and len(seen["jz_admin"]) == 2 and seen["jz_rev"] == seen["jz_admin"]
        assert seen["hb_admin"] == set() and seen["jz_viewer"] == set()
        with pytest.raises(compute.WorkflowRefused) as e:
            objections.resolve(db, admin_of(plat, "hb_admin"), a.id, "dismissed", "x")
        assert e.value.status == 404
        with pytest.raises(compute.WorkflowRefused) as e:
            objections.resolve(db, admin, a.id, "upheld", "no value", folder=plat.folder)
        assert e.value.status == 422 and db.get(Objection, a.id).status == "open"
