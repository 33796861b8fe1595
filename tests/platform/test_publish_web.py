"""The whole Build 7 cycle over HTTP with several users on the served app (SQLite and PostgreSQL): close → compute
→ 公示 (the draft ranking seen in scope) → a county's objection with evidence → upheld → recomputed ranking → final
publish → 通报 and workbook downloaded by every logged-in user; afterwards every write refused."""

from __future__ import annotations

import io
import re
import zipfile

import openpyxl

from platform_fixtures import *  # noqa: F401,F403 (its fixtures)
from platform_fixtures import client, login
from test_compute import build_programme
from test_objections import PDF


def _h(csrf):
    return {"X-CSRF-Token": csrf}


def test_cycle_over_http(app, plat):
    jz = build_programme(plat)
    pid = jz.programme_id
    users = {}
    for name in ("jz_admin", "boai", "wenxian", "jz_viewer", "hb_viewer", "hb_admin"):
        c = client(app)
        users[name] = (c, login(c, name, jz.passwords[name]))
    admin, acsrf = users["jz_admin"]
    boai, bcsrf = users["boai"]
    rank_url = f"/api/programmes/{pid}/ranking"

    assert boai.get(rank_url).status_code == 404                                   # nothing computed yet
    assert boai.post(f"/api/programmes/{pid}/compute", headers=_h(bcsrf)).status_code == 403
    hb, hcsrf = users["hb_admin"]
    assert hb.post(f"/api/programmes/{pid}/close", json={}, headers=_h(hcsrf)).status_code == 404   # not its province
    r = admin.post(f"/api/programmes/{pid}/close", json={}, headers=_h(acsrf))
    assert r.status_code == 200 and r.json()["status"] == "closed"
    r = admin.post(f"/api/programmes/{pid}/compute", headers=_h(acsrf))
    assert r.status_code == 200, r.text
    draft = r.json()
    assert draft["result"]["status"] == "draft" and len(draft["ranking"]) == 10
    assert [x["rank"] for x in draft["ranking"]] == list(range(1, 11))
    assert boai.get(rank_url).status_code == 404                                   # a draft is the admin's
    r = admin.post(f"/api/programmes/{pid}/publicity", headers=_h(acsrf))
    assert r.status_code == 200 and r.json()["result"]["status_zh"] == "公示中"
    for name in ("boai", "wenxian", "jz_viewer"):                                  # in scope: the draft ranking
        got = users[name][0].get(rank_url)
        assert got.status_code == 200 and got.json()["ranking"] == draft["ranking"], name
    assert users["hb_viewer"][0].get(rank_url).status_code == 404                 # another province: not yet
    page = boai.get(f"/programmes/{pid}/result")
    assert page.status_code == 200 and "公示中" in page.text and "博爱县" in page.text

    # 异议 with evidence, on its own value only
    own, other = jz.value_ids[("410822", "income_rural")], jz.value_ids[("410825", "income_rural")]
    r = boai.post("/api/objections", data={"value_id": str(own), "text": "应为 39000 元"},
                  files={"evidence": ("统计公报.pdf", PDF, "application/pdf")}, headers=_h(bcsrf))
    assert r.status_code == 200, r.text
    oid = r.json()["id"]
    assert r.json()["evidence_file_id"] and r.json()["status_zh"] == "待处理"
    assert boai.post("/api/objections", json={"value_id": other, "text": "x"}, headers=_h(bcsrf)).status_code == 404
    assert [o["id"] for o in boai.get("/api/objections").json()["objections"]] == [oid]
    assert users["wenxian"][0].get("/api/objections").json()["objections"] == []
    assert users["jz_viewer"][0].get("/api/objections").status_code == 403
    r = admin.post(f"/api/objections/{oid}/resolve", json={"decision": "upheld", "reason": "按公报更正", "value": 39000},
                   headers=_h(acsrf))
    assert r.status_code == 200 and r.json()["status"] == "upheld" and r.json()["value"] == 39000
    after = boai.get(rank_url).json()
    assert after["result"]["data_version"] != draft["result"]["data_version"]
    assert after["result"]["status"] == "publicity"
    pos = {x["unit_code"]: x["rank"] for x in after["ranking"]}
    assert pos["410822"] < {x["unit_code"]: x["rank"] for x in draft["ranking"]}["410822"]
    hist = boai.get(f"/api/values/{own}/history").json()["history"]
    assert any("39000" in str(h) and "objection" in str(h) for h in hist)        # this number's history says why
    objections_page = admin.get("/objections")
    assert objections_page.status_code == 200 and "已采纳" in objections_page.text

    # final publish: early needs a reason
    r = admin.post(f"/api/programmes/{pid}/result/publish", json={}, headers=_h(acsrf))
    assert r.status_code == 409 and "needs a reason" in r.json()["detail"]
    r = admin.post(f"/api/programmes/{pid}/result/publish",
                   json={"reason": "考核办决定", "issuer": "焦作市考核办", "doc_number": "焦考〔2026〕3号"}, headers=_h(acsrf))
    assert r.status_code == 200, r.text
    final = r.json()
    assert final["result"]["status_zh"] == "已发布" and final["programme_status"] == "published"
    assert final["result"]["data_version"] == after["result"]["data_version"]
    hbv = users["hb_viewer"][0]
    assert hbv.get(rank_url).json()["ranking"] == final["ranking"]                # published: every logged-in user
    doc = boai.get(f"/api/programmes/{pid}/report.docx")
    assert doc.status_code == 200 and doc.headers["content-type"].startswith("application/vnd.openxmlformats")
    with zipfile.ZipFile(io.BytesIO(doc.content)) as z:
        text = z.read("word/document.xml").decode("utf-8")
    assert "【缺数据" not in text and "焦考〔2026〕3号" in text
    xl = hbv.get(f"/api/programmes/{pid}/ranking.xlsx")
    assert xl.status_code == 200
    wb = openpyxl.load_workbook(io.BytesIO(xl.content))
    assert not [c.coordinate for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.data_type == "f"]
    assert "已发布" in boai.get(f"/programmes/{pid}/result").text
    assert client(app).get(f"/api/programmes/{pid}/report.docx").status_code == 401

    # frozen: no further value write is accepted
    r = boai.post("/api/objections", json={"value_id": own, "text": "again"}, headers=_h(bcsrf))
    assert r.status_code == 409
    assert admin.post(f"/api/programmes/{pid}/compute", headers=_h(acsrf)).status_code == 409
    assert admin.post(f"/api/programmes/{pid}/publicity", headers=_h(acsrf)).status_code == 409
    tasks = boai.get("/api/tasks").json()["tasks"]
    tid = next(t["id"] for t in tasks if t["unit_code"] == "410822" and t["programme_id"] == pid)
    r = boai.put(f"/api/tasks/{tid}/values", json={"values": [{"unit_code": "410822", "indicator": "income_rural",
                                                               "value": 1.0}]}, headers=_h(bcsrf))
    assert r.status_code == 409 and "published" in r.json()["detail"]
    assert boai.get(f"/api/values/{own}/history").json()["value"] == 39000


def test_county_lands_on_its_profile_and_forms_work(app, plat):
    jz = build_programme(plat)
    c = client(app)
    token = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/login").text)[1]
    r = c.post("/login", data={"username": "boai", "password": jz.passwords["boai"], "csrf_token": token},
               follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/unit/410822"
    a = client(app)
    login(a, "jz_admin", jz.passwords["jz_admin"])
    page = a.get(f"/programmes/{jz.programme_id}/result")
    assert page.status_code == 200 and 'action="/programmes/%d/result/close"' % jz.programme_id in page.text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)[1]
    for step in ("close", "compute", "publicity"):
        r = a.post(f"/programmes/{jz.programme_id}/result/{step}", data={"csrf_token": csrf}, follow_redirects=False)
        assert r.status_code == 303, (step, r.text[:500])
    r = a.post(f"/programmes/{jz.programme_id}/result/publish", data={"csrf_token": csrf}, follow_redirects=False)
    assert r.status_code == 409 and "needs a reason" in r.text and "公示中" in r.text   # the page, with the refusal
    # the county's objection form lists its values in 公示 and files through the page
    page = c.get("/objections")
    vid = jz.value_ids[("410822", "gdp_per_capita")]
    assert f'<option value="{vid}">' in page.text and f'value="{jz.value_ids[("410825", "gdp_per_capita")]}"' not in page.text
    csrf_c = re.search(r'name="csrf_token" value="([^"]+)"', page.text)[1]
    r = c.post("/objections", data={"csrf_token": csrf_c, "value_id": str(vid), "text": "口径"},
               files={"evidence": ("x.pdf", b"not a pdf", "application/pdf")}, follow_redirects=False)
    assert r.status_code == 422 and "not a PDF" in r.text
    r = c.post("/objections", data={"csrf_token": csrf_c, "value_id": str(vid), "text": "口径"}, follow_redirects=False)
    assert r.status_code == 303
    oid = a.get("/api/objections").json()["objections"][0]["id"]
    r = a.post(f"/objections/{oid}/resolve", data={"csrf_token": csrf, "decision": "upheld", "reason": "更正",
                                                   "value": "abc"}, follow_redirects=False)
    assert r.status_code == 422 and "expected a number" in r.text
    r = a.post(f"/objections/{oid}/resolve", data={"csrf_token": csrf, "decision": "dismissed", "reason": "口径一致"},
               follow_redirects=False)
    assert r.status_code == 303 and "不予采纳" in a.get("/objections").text
