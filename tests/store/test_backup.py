"""``cpog backup`` / ``cpog restore``: a round trip gives back every row of every table (values,
targets, audit trail, users, tokens, actions), on SQLite and on PostgreSQL; a restore refuses a
non-empty store without --remplacer, and a file that is not a backup, with French messages and
non-zero exits, changing nothing.

The commands run in subprocesses on stores of their own, several commands per subprocess (each
start costs seconds)."""

from __future__ import annotations

from pathlib import Path

from isolated_store import isolated_store

SOURCE = """
from datetime import date
from decimal import Decimal
from django.contrib.auth.models import Group, User
from django.db import transaction
from cpog import clock
from cpog.periods import parse_period
from cpog.store.actions import save_update
from cpog.store.contracts import current_contract
from cpog.store.demo import load_demo
from cpog.store.values import NewValue, record_values
from cpog.web.models import ApiToken
_, contract = current_contract()
load_demo(contract, clock.today())
user = User.objects.create_user("pilote", "p@example.org", "x-Secret-123456")
user.groups.add(Group.objects.get_or_create(name="pilote")[0])
ApiToken.issue(user, "tableur")
save_update(contract.id, "d01-a1", {"status": "in_progress", "progress": 40,
            "comment": "Lancement"}, "pilote", clock.today())
result = {"before": fingerprint(), "backup": cli("backup", ARCHIVE)}
result["again"] = cli("backup", ARCHIVE)
with transaction.atomic():  # a value written after the backup
    record_values(contract.id, contract.organisation.code,
                  [NewValue("indicator", "cog-01-11", parse_period("2021"), Decimal("1"))],
                  source="manual", user="après la sauvegarde")
result["after"] = fingerprint()
result["refused"] = cli("restore", ARCHIVE)
result["unchanged"] = fingerprint()
result["replaced"] = cli("restore", ARCHIVE, "--remplacer")
result["restored"] = fingerprint()
"""

TARGET = """
result = {
    "not_backup": cli("restore", NOT_BACKUP),
    "missing": cli("restore", MISSING),
    "restore": cli("restore", ARCHIVE),
    "restored": fingerprint(),
}
"""


def test_backup_then_restore_gives_every_row_back(tmp_path: Path) -> None:
    archive = tmp_path / "cpog.sauvegarde"
    with isolated_store(tmp_path, "backup") as source:
        found = source.python(SOURCE.replace("ARCHIVE", repr(str(archive))), timeout=300)
        before = found["before"]
        assert before["store.Measurement"] and before["store.AuditEvent"]
        assert before["store.ActionUpdate"] and before["web.ApiToken"]
        code, stdout, stderr = found["backup"]
        assert code == 0, stderr
        assert "Sauvegarde écrite" in stdout and "valeurs" in stdout
        assert archive.is_file() and not list(tmp_path.glob("*.partiel"))
        code, _, stderr = found["again"]
        assert code == 1 and "existe déjà" in stderr and "--remplacer" in stderr

        # Restoring over the store it came from: refused while it holds data…
        assert found["after"] != before
        code, _, stderr = found["refused"]
        assert code == 1
        assert "La base n'est pas vide" in stderr and "--remplacer" in stderr
        assert found["unchanged"] == found["after"]
        # …and done with --remplacer: the value written after the backup is gone.
        code, stdout, stderr = found["replaced"]
        assert code == 0, stderr
        assert "Base restaurée" in stdout
        assert found["restored"] == before

        not_backup = tmp_path / "notes.txt"
        not_backup.write_text("identifiant;période;valeur\n", encoding="utf-8")
        with isolated_store(tmp_path, "restore", load=False) as target:
            done = target.python(
                TARGET.replace("NOT_BACKUP", repr(str(not_backup)))
                .replace("MISSING", repr(str(tmp_path / "absent.sauvegarde")))
                .replace("ARCHIVE", repr(str(archive))),
                timeout=300,
            )
            code, _, stderr = done["not_backup"]
            assert code == 1 and "n'est pas une sauvegarde de cpog" in stderr
            assert "rien n'a été modifié" in stderr
            code, _, stderr = done["missing"]
            assert code == 1 and "Sauvegarde introuvable" in stderr
            code, _, stderr = done["restore"]
            assert code == 0, stderr
            assert done["restored"] == before  # every row of every table, elsewhere
