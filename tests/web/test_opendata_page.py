"""The « Données ouvertes » page: the key figures beside the imported open data, by EPCI or by
commune, and the same context as JSON (?format=json)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cpog.store.opendata import import_open_data
from opendata_samples import S_BEN_COM_F, S_BEN_DEP, write_sample


def test_the_page_by_epci_by_commune_and_as_json(
    client_for: Any, steering_data: Any, tmp_path: Path
) -> None:
    client = client_for("lecteur")
    before = client.get("/donnees-ouvertes/")
    assert before.status_code == 200  # the signed figure alone, before any import
    assert "chiffre du contrat signé" in before.content.decode()
    for name, text in (("s_ben_com_f.csv", S_BEN_COM_F), ("s_ben_dep.csv", S_BEN_DEP)):
        import_open_data(write_sample(tmp_path, name, text), steering_data, user="test")
    html = client.get("/donnees-ouvertes/?annee=2022").content.decode()
    assert "<h1>Diagnostic et données ouvertes par territoire</h1>" in html
    assert "du Niortais (200041317)" in html
    assert "64\u202f498" in html and "64\u202f310" in html
    assert "correspondance à confirmer" in html
    by_commune = client.get("/donnees-ouvertes/?par=commune&annee=2022").content.decode()
    assert "Niort (79191)" in by_commune
    answer = client.get("/donnees-ouvertes/?par=commune&format=json")
    assert answer.status_code == 200
    content = answer.json()["contenu"]
    assert content["decoupage"] == "commune" and content["annees_disponibles"] == [2022, 2023]
    niort = [r for r in content["lignes"] if r["code"] == "79191"]
    assert [r["donnee_ouverte"] for r in niort] == [17250.0, 17410.0]
    pdf = client.get("/donnees-ouvertes/?format=pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
