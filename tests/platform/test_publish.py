"""Final publish: refused during 公示 without a reason and with an objection open; then the result is final, the
programme published, the 通报 (Word) and the ranking workbook written from the results files (no 【缺数据 marker,
no formula cell), and the programme's values frozen — every write refused, through the services and underneath."""

from __future__ import annotations

import zipfile
from datetime import timedelta

import pytest

from platform_fixtures import *  # noqa: F401,F403 (its fixtures)
from test_compute import admin_of, build_programme
from test_objections import in_publicity


def docx_text(path) -> str:
    with zipfile.ZipFile(path) as z:
        return "".join(z.read(n).decode("utf-8") for n in z.namelist() if n.startswith("word/") and n.endswith(".xml"))


def test_publish_writes_the_report_and_freezes_the_values(plat):
    import openpyxl
    from sqlalchemy import select

    from xianping.platform.audit.record import writing
    from xianping.platform.db.models import AuditLog, DataValue, Programme, Result
    from xianping.platform.workflow import compute, objections, publish

    jz, admin = in_publicity(plat)
    boai = admin_of(plat, "boai")
    vid = jz.value_ids[("410822", "urbanisation_rate")]
    with plat.sessions() as db:
        with pytest.raises(compute.WorkflowRefused) as e:   # 公示 runs 7 days
            publish.publish(db, admin, jz.programme_id, plat.folder)
        assert e.value.status == 409 and "needs a reason" in str(e.value)
        o = objections.file(db, boai, vid, "城镇化率有误")
        with pytest.raises(compute.WorkflowRefused) as e:
            publish.publish(db, admin, jz.programme_id, plat.folder, now=compute.utcnow() + timedelta(days=8))
        assert e.value.status == 409 and f"objection(s) {o.id}" in str(e.value)
        objections.resolve(db, admin, o.id, "dismissed", "与普查口径一致")
        res = publish.publish(db, admin, jz.programme_id, plat.folder, now=compute.utcnow() + timedelta(days=8),
                              issuer="河南省考核办", doc_number="豫考〔2026〕1号")
        assert res.status == "final" and res.published_at is not None
        assert db.get(Programme, jz.programme_id).status == "published"
        assert res.manifest["data"]["data_version"] == res.data_version   # the approved data version it came from
        paths = publish.report_paths(plat.folder, res)
        log = db.scalars(select(AuditLog).where(AuditLog.action == "result.publish")).one()
        assert log.reason.startswith("公示 ended")

        # the 通报 and the workbook
        text = docx_text(paths["docx"])
        assert "【缺数据" not in text and "豫考〔2026〕1号" in text and "河南省考核办" in text
        assert "博爱县" in text
        wb = openpyxl.load_workbook(paths["xlsx"])
        cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]
        assert cells and not [c.coordinate for c in cells if c.data_type == "f" or
                              (isinstance(c.value, str) and c.value.startswith("="))]
        assert any(c.value == "博爱县" for c in cells)

        # frozen: the services refuse, and so does a direct write underneath them
        o2_value = jz.value_ids[("410825", "gdp_per_capita")]
        with pytest.raises(compute.WorkflowRefused) as e:
            objections.file(db, admin_of(plat, "wenxian"), o2_value, "after publish")
        assert e.value.status == 409
        with pytest.raises(compute.WorkflowRefused) as e:
            with writing(db, admin) as w:
                v = db.get(DataValue, vid)
                w.record("value.set", "data_value", v.id, field="value", old=v.value, new=1.0, reason="test")
                v.value = 1.0
        assert e.value.status == 409 and "frozen" in str(e.value)
        assert db.get(DataValue, vid).value == jz.values[("410822", "urbanisation_rate")]
        with pytest.raises(compute.WorkflowRefused) as e:
            with writing(db, admin) as w:
                db.add(DataValue(programme_id=jz.programme_id, unit_code="410822", indicator="gdp", period="2025",
                                 value=1.0, status="approved"))
                w.record("value.set", "data_value", None, reason="test")
        assert e.value.status == 409
        with pytest.raises(compute.WorkflowRefused):
            publish.publish(db, admin, jz.programme_id, plat.folder, reason="again")
        assert db.query(Result).filter_by(status="final").count() == 1


def test_early_publish_needs_a_reason_and_is_logged(plat):
    from sqlalchemy import select

    from xianping.platform.db.models import AuditLog
    from xianping.platform.workflow import publish

    jz, admin = in_publicity(plat)
    with plat.sessions() as db:
        res = publish.publish(db, admin, jz.programme_id, plat.folder, reason="省委决定提前通报")
        assert res.manifest["published"]["reason"] == "省委决定提前通报"
        log = db.scalars(select(AuditLog).where(AuditLog.action == "result.publish")).one()
        assert log.reason == "省委决定提前通报" and log.actor_name == "jz_admin"
        assert publish.report_paths(plat.folder, res)["docx"].stat().st_size > 0


def test_publish_before_publicity_is_refused(plat):
    from xianping.platform.workflow import compute, publish

    jz = build_programme(plat)
    admin = admin_of(plat)
    with plat.sessions() as db:
        compute.compute(db, admin, jz.programme_id, plat.folder)
        with pytest.raises(compute.WorkflowRefused) as e:
            publish.publish(db, admin, jz.programme_id, plat.folder, reason="skip 公示")
        assert e.value.status == 409 and "after its 公示" in str(e.value)
