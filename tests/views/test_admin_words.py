"""Admin pages: the unit tree as a tree, one set of role names, a harmless import example."""

import csv
import io
import re

from app.demo import ACCOUNTS, UNITS
from app.models import Role
from app.services.nip import normalize_nip


def test_the_unit_tree_nests_each_unit_under_its_parent(login, make):
    make.unit("KEMEN", "Kementerian Contoh")
    make.unit("SETJEN", "Sekretariat Jenderal", "KEMEN")
    make.unit("BIRO-SDM", "Biro SDM", "SETJEN")
    make.unit("DITJEN", "Ditjen Layanan", "KEMEN")
    page = login(roles=Role.ADMIN).client.get("/admin/units").get_data(as_text=True)
    tree = page.split('<ul class="tree">', 1)[1]
    # Biro SDM sits in a list inside Sekretariat Jenderal's item, which sits inside Kementerian's.
    kemen, setjen, biro, ditjen = (tree.index(n) for n in (
        ">Kementerian Contoh<", ">Sekretariat Jenderal<", ">Biro SDM<", ">Ditjen Layanan<"))
    assert kemen < setjen < biro < ditjen
    assert tree[setjen:biro].count('<ul class="tree">') == 1
    between = tree[biro:ditjen]
    # Setjen's sub-list (holding Biro) closes, and Ditjen follows as Setjen's sibling.
    assert between.count("</ul>") == 1 and between.count('<ul class="tree">') == 0


def test_roles_have_the_same_translated_names_in_the_list_and_the_form(login, make):
    person = make.user(name="Ani", roles=Role.LEARNER | Role.SUPERVISOR)
    admin = login(roles=Role.ADMIN)
    listing = admin.client.get("/admin/users?q=Ani").get_data(as_text=True)
    assert "Peserta, Atasan" in listing and "learner" not in listing
    form = admin.client.get(f"/admin/users/{person.id}").get_data(as_text=True)
    assert "Peserta" in form and "Atasan" in form
    admin.client.post("/language", data={"locale": "en", "csrf_token": admin.csrf()})
    english = admin.client.get("/admin/users?q=Ani").get_data(as_text=True)
    assert "Learner, Supervisor" in english
    form = admin.client.get(f"/admin/users/{person.id}").get_data(as_text=True)
    assert ">Work unit</label>" in form  # one person's unit, singular as the role names
    assert ">Work units</h1>" in admin.client.get("/admin/units").get_data(as_text=True)


def test_the_import_example_row_would_import_on_the_demo_data(login):
    page = login(roles=Role.ADMIN).client.get("/admin/users/import").get_data(as_text=True)
    sample = re.search(r'<pre class="sample">(.*?)</pre>', page, re.S).group(1)
    (row,) = csv.DictReader(io.StringIO(sample))
    assert normalize_nip(row["nip"]) == row["nip"]  # a valid NIP
    assert row["nip"] not in {nip for *_, nip, _unit, _steps in ACCOUNTS}
    assert row["email"] not in {email for email, *_ in ACCOUNTS}
    assert row["unit_code"] in {code for code, *_ in UNITS}
