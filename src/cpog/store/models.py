"""Tables of the store.

The contract itself is kept whole, as the JSON export of each version. Everything that changes
during the contract's life — targets, values, action states, analyses — lives in its own table
and points to the contract's stable ids (``subject_id``), never to database keys of a version, so
an amendment does not orphan them.

Values and targets are append-only: a correction is a new row; the current one is the latest.
"""

from __future__ import annotations

from django.db import models

from cpog import vocabulary


class SubjectType(models.TextChoices):
    INDICATOR = "indicator", "indicateur"
    MEASURE = "measure", "mesure de résultat visé"
    FIGURE = "figure", vocabulary.SUBJECT_TYPE["figure"]  # a key figure of the diagnosis


class ScopeType(models.TextChoices):
    CAISSE = "caisse", "caisse"
    NATIONAL = "national", "national"
    TERRITORY = "territory", "territoire"


class ContractVersion(models.Model):
    """One loaded state of a contract; version 1 is the signed text, later ones are amendments."""

    contract_id = models.SlugField("contrat", max_length=80)
    # The organisation code of the contract's caisse (« 79 »): several caisses share a store
    # (decision 016); kept apart from the document so a caisse's contract is found by an index.
    caisse_code = models.CharField("caisse", max_length=20, default="", db_index=True)
    version = models.PositiveIntegerField("version")
    content_hash = models.CharField("empreinte", max_length=64)
    document = models.JSONField("document")
    source_path = models.CharField("fichier source", max_length=500)
    amendment_date = models.DateField("date de l'avenant", null=True, blank=True)
    amendment_reason = models.TextField("motif de l'avenant", blank=True)
    loaded_by = models.CharField("chargé par", max_length=150)
    loaded_at = models.DateTimeField("chargé le", auto_now_add=True)

    class Meta:
        verbose_name = "version du contrat"
        verbose_name_plural = "versions du contrat"
        constraints = [
            models.UniqueConstraint(
                fields=["contract_id", "version"], name="unique_contract_version"
            )
        ]
        ordering = ["contract_id", "version"]

    def __str__(self) -> str:
        return f"{self.contract_id} v{self.version}"


class ImportBatch(models.Model):
    """One applied import file, or one computation from extracts; values and targets it wrote
    point back to it.

    A computation (``kind`` computed) names its extracts' folder in ``file_name`` (« calcul
    depuis … »), their fingerprint in ``file_sha256``, and keeps in ``details`` what makes its
    values reproducible: each definition's name, version and parameter values, the extract files
    with their digests and row counts, the last day the data cover, the range, the dimension,
    the counts written / unchanged / non calculable and the unusual values
    (:mod:`cpog.store.computations`)."""

    class Kind(models.TextChoices):
        VALUES = "values", vocabulary.BATCH_KIND["values"]
        TARGETS = "targets", vocabulary.BATCH_KIND["targets"]
        COMPUTED = "computed", vocabulary.BATCH_KIND["computed"]
        OPENDATA = "opendata", vocabulary.BATCH_KIND["opendata"]

    contract_id = models.SlugField("contrat", max_length=80)
    kind = models.CharField("type", max_length=10, choices=Kind.choices)
    file_name = models.CharField("fichier", max_length=255)
    file_sha256 = models.CharField(max_length=64)
    row_count = models.PositiveIntegerField("lignes lues")
    written_count = models.PositiveIntegerField("lignes écrites")
    # template lines left empty
    skipped_count = models.PositiveIntegerField("lignes vides", default=0)
    # The latest audit event once the batch was written: while it is still the latest, the store
    # is as this file left it, and importing the same bytes again changes nothing.
    audit_mark = models.BigIntegerField("repère dans l'historique", null=True, blank=True)
    details = models.JSONField("détails du calcul", null=True, blank=True)
    created_by = models.CharField("créé par", max_length=150)
    created_at = models.DateTimeField("créé le", auto_now_add=True)

    class Meta:
        verbose_name = "import de fichier"
        verbose_name_plural = "imports de fichiers"

    def __str__(self) -> str:
        return f"{self.file_name} ({self.created_at:%d/%m/%Y})"


class Target(models.Model):
    class Kind(models.TextChoices):
        NATIONAL = "national", vocabulary.TARGET_KIND["national"]
        INDIVIDUALISED = "individualised", vocabulary.TARGET_KIND["individualised"]
        FIXED = "fixed", vocabulary.TARGET_KIND["fixed"]
        TRAJECTORY = "trajectory", vocabulary.TARGET_KIND["trajectory"]

    class Provenance(models.TextChoices):
        COG_ANNEX = "cog_annex", vocabulary.TARGET_PROVENANCE["cog_annex"]
        CNAF_NOTIFICATION = "cnaf_notification", vocabulary.TARGET_PROVENANCE["cnaf_notification"]
        CPOG = "cpog", vocabulary.TARGET_PROVENANCE["cpog"]
        DERIVED = "derived", vocabulary.TARGET_PROVENANCE["derived"]
        DEMO = "demo", vocabulary.TARGET_PROVENANCE["demo"]

    contract_id = models.SlugField("contrat", max_length=80)
    subject_type = models.CharField("type de sujet", max_length=10, choices=SubjectType.choices)
    subject_id = models.SlugField("sujet", max_length=80)
    scope_type = models.CharField(
        max_length=10, choices=ScopeType.choices, default=ScopeType.CAISSE
    )
    scope_code = models.CharField("code du territoire", max_length=20)
    year = models.PositiveSmallIntegerField("année")
    value = models.DecimalField("valeur cible", max_digits=20, decimal_places=6)
    comparator = models.CharField("comparateur", max_length=2, blank=True)
    kind = models.CharField("type", max_length=16, choices=Kind.choices)
    provenance = models.CharField("provenance", max_length=20, choices=Provenance.choices)
    reason = models.TextField("motif", blank=True)
    batch = models.ForeignKey(
        ImportBatch, null=True, blank=True, on_delete=models.PROTECT, verbose_name="import"
    )
    set_by = models.CharField("fixée par", max_length=150)
    set_at = models.DateTimeField("fixée le")

    class Meta:
        verbose_name = "cible"
        verbose_name_plural = "cibles"
        indexes = [
            models.Index(fields=["contract_id", "subject_type", "subject_id", "scope_code", "year"])
        ]
        ordering = ["subject_id", "year", "set_at", "id"]


class Measurement(models.Model):
    """One revision of the value of a subject for a period."""

    class Status(models.TextChoices):
        PROVISIONAL = "provisional", vocabulary.VALUE_STATUS["provisional"]
        DEFINITIVE = "definitive", vocabulary.VALUE_STATUS["definitive"]

    class Source(models.TextChoices):
        MANUAL = "manual", vocabulary.VALUE_SOURCE["manual"]
        IMPORT = "import", vocabulary.VALUE_SOURCE["import"]
        API = "api", vocabulary.VALUE_SOURCE["api"]
        COMPUTED = "computed", vocabulary.VALUE_SOURCE["computed"]
        DEMO = "demo", vocabulary.VALUE_SOURCE["demo"]

    contract_id = models.SlugField("contrat", max_length=80)
    subject_type = models.CharField("type de sujet", max_length=10, choices=SubjectType.choices)
    subject_id = models.SlugField("sujet", max_length=80)
    scope_type = models.CharField(
        max_length=10, choices=ScopeType.choices, default=ScopeType.CAISSE
    )
    scope_code = models.CharField("code du territoire", max_length=20)
    period_key = models.CharField("période", max_length=16)
    period_start = models.DateField("début de période")
    period_end = models.DateField("fin de période")
    value = models.DecimalField("valeur", max_digits=20, decimal_places=6)
    numerator = models.DecimalField(
        "numérateur", max_digits=20, decimal_places=6, null=True, blank=True
    )
    denominator = models.DecimalField(
        "dénominateur", max_digits=20, decimal_places=6, null=True, blank=True
    )
    status = models.CharField(
        "statut", max_length=12, choices=Status.choices, default=Status.PROVISIONAL
    )
    source = models.CharField("source", max_length=10, choices=Source.choices)
    batch = models.ForeignKey(
        ImportBatch, null=True, blank=True, on_delete=models.PROTECT, verbose_name="import"
    )
    comment = models.TextField("commentaire", blank=True)
    # The value was far from its series and the user confirmed it (cpog.assess.outliers).
    confirmed_unusual = models.BooleanField("valeur inhabituelle confirmée", default=False)
    # Why a value of a frozen year was changed (cpog.store.period_locks); "" otherwise.
    motif = models.TextField("motif de la modification", blank=True, default="")
    recorded_by = models.CharField("saisie par", max_length=150)
    recorded_at = models.DateTimeField("saisie le")

    class Meta:
        verbose_name = "valeur"
        verbose_name_plural = "valeurs"
        indexes = [
            models.Index(
                fields=["contract_id", "subject_type", "subject_id", "scope_code", "period_key"]
            ),
            models.Index(fields=["contract_id", "scope_code", "period_end"]),
        ]
        ordering = ["subject_id", "period_end", "recorded_at", "id"]


class OpenDataValue(models.Model):
    """One revision of a value published on data.caf.fr (decision 019): a numeric field of a
    dataset for a territory, a period and, for split datasets, a category (a quotient-familial
    bracket). Public figures, kept apart from the contract's values: they belong to no contract
    and are read beside them (cpog.contexts.opendata). Append-only like the values: a later
    publication that changes a figure writes a new row; the current one is the latest."""

    dataset = models.CharField("jeu de données", max_length=40)
    field = models.CharField("champ", max_length=60)
    category = models.CharField("tranche", max_length=60, blank=True, default="")
    scope_type = models.CharField(
        max_length=10, choices=ScopeType.choices, default=ScopeType.TERRITORY
    )
    scope_code = models.CharField("code du territoire", max_length=20)
    period_key = models.CharField("période", max_length=16)
    value = models.DecimalField("valeur", max_digits=20, decimal_places=6)
    batch = models.ForeignKey(ImportBatch, on_delete=models.PROTECT, verbose_name="import")
    recorded_at = models.DateTimeField("enregistrée le")

    class Meta:
        verbose_name = "donnée ouverte"
        verbose_name_plural = "données ouvertes"
        indexes = [
            models.Index(fields=["dataset", "field", "scope_code", "period_key"]),
            models.Index(fields=["scope_code", "period_key"]),
        ]
        ordering = ["dataset", "field", "scope_code", "period_key", "id"]


class ActionState(models.Model):
    class Status(models.TextChoices):
        NOT_STARTED = "not_started", vocabulary.ACTION_STATUS["not_started"]
        IN_PROGRESS = "in_progress", vocabulary.ACTION_STATUS["in_progress"]
        DONE = "done", vocabulary.ACTION_STATUS["done"]
        LATE = "late", vocabulary.ACTION_STATUS["late"]
        POSTPONED = "postponed", vocabulary.ACTION_STATUS["postponed"]
        CANCELLED = "cancelled", vocabulary.ACTION_STATUS["cancelled"]

    contract_id = models.SlugField("contrat", max_length=80)
    action_id = models.SlugField("action", max_length=80)
    owner = models.CharField("responsable", max_length=150, blank=True)
    start_date = models.DateField("date de début", null=True, blank=True)
    due_date = models.DateField("échéance", null=True, blank=True)
    status = models.CharField(
        "statut", max_length=12, choices=Status.choices, default=Status.NOT_STARTED
    )
    progress = models.PositiveSmallIntegerField("avancement (%)", default=0)
    updated_by = models.CharField("modifié par", max_length=150)
    updated_at = models.DateTimeField("modifié le")
    # Raised by every write to the action (state, milestone, comment): an edit form carries the
    # version it was shown with, and is refused when the action has changed since (see
    # cpog.store.actions: optimistic locking, so that the last writer never silently wins).
    version = models.PositiveIntegerField("version", default=0)

    class Meta:
        verbose_name = "état d'une action"
        verbose_name_plural = "états des actions"
        constraints = [
            models.UniqueConstraint(
                fields=["contract_id", "action_id"], name="unique_action_state"
            ),
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="action_progress_at_most_100"
            ),
        ]

    def audit_snapshot(self) -> dict[str, object]:
        """The fields the audit trail records before and after a change."""
        return {
            "owner": self.owner,
            "start_date": self.start_date.isoformat() if self.start_date else None,
            "due_date": self.due_date.isoformat() if self.due_date else None,
            "status": self.status,
            "progress": self.progress,
        }


class ActionMilestone(models.Model):
    state = models.ForeignKey(
        ActionState, on_delete=models.CASCADE, related_name="milestones", verbose_name="action"
    )
    label = models.CharField("libellé", max_length=300)
    due_date = models.DateField("échéance")
    done_on = models.DateField("atteint le", null=True, blank=True)

    class Meta:
        verbose_name = "jalon d'une action"
        verbose_name_plural = "jalons des actions"


class ActionUpdate(models.Model):
    """A dated comment on an action, with the progress it reported."""

    state = models.ForeignKey(
        ActionState, on_delete=models.CASCADE, related_name="updates", verbose_name="action"
    )
    on = models.DateField("date")
    text = models.TextField("texte")
    progress = models.PositiveSmallIntegerField("avancement (%)", null=True, blank=True)
    author = models.CharField("auteur", max_length=150)
    created_at = models.DateTimeField("créé le")

    class Meta:
        verbose_name = "point d'avancement"
        verbose_name_plural = "points d'avancement"


class Analysis(models.Model):
    """The pilot's reading of a period: analysis, risks and corrective action."""

    class SubjectKind(models.TextChoices):
        INDICATOR = "indicator", vocabulary.SUBJECT_TYPE["indicator"]
        MEASURE = "measure", vocabulary.SUBJECT_TYPE["measure"]
        CHALLENGE = "challenge", vocabulary.SUBJECT_TYPE["challenge"]

    contract_id = models.SlugField("contrat", max_length=80)
    subject_type = models.CharField("type de sujet", max_length=10, choices=SubjectKind.choices)
    subject_id = models.SlugField("sujet", max_length=80)
    period_key = models.CharField("période", max_length=16)
    analysis = models.TextField("analyse")
    risks = models.TextField("risques", blank=True)
    corrective_action = models.TextField("action corrective", blank=True)
    author = models.CharField("auteur", max_length=150)
    created_at = models.DateTimeField("créé le")

    class Meta:
        verbose_name = "analyse"
        verbose_name_plural = "analyses"


class AuditEvent(models.Model):
    """Every write: who, when, what it was before and after."""

    entity_type = models.CharField("type d'objet", max_length=40)
    entity_id = models.CharField("objet", max_length=120)
    action = models.CharField("opération", max_length=20)
    user = models.CharField("utilisateur", max_length=150)
    at = models.DateTimeField("date")
    before = models.JSONField("avant", null=True, blank=True)
    after = models.JSONField("après", null=True, blank=True)
    context = models.CharField("contexte", max_length=300, blank=True)

    class Meta:
        verbose_name = "événement de l'historique"
        verbose_name_plural = "historique des écritures"
        indexes = [models.Index(fields=["entity_type", "entity_id"]), models.Index(fields=["at"])]
        ordering = ["-at", "-id"]


class ReportSnapshot(models.Model):
    """What a generated report printed: its period, date of situation, data fingerprint, the
    statuses and the whole context (JSON), so that a closed year's review can be produced again
    as it was, and the app can say what changed since (cpog.store.snapshots)."""

    class Kind(models.TextChoices):
        ANNUAL = "annual", vocabulary.REPORT_KIND["annual"]
        BOARD = "board", vocabulary.REPORT_KIND["board"]

    contract_id = models.SlugField("contrat", max_length=80)
    kind = models.CharField("type", max_length=10, choices=Kind.choices)
    period = models.CharField("période", max_length=7)  # « 2025 » or « 2026-11 »
    as_of = models.DateField("date de situation")
    fingerprint = models.CharField("empreinte", max_length=64)
    statuses = models.JSONField("statuts")
    context = models.JSONField("contenu")
    created_at = models.DateTimeField("créé le")
    created_by = models.CharField("créé par", max_length=150)

    class Meta:
        verbose_name = "instantané de rapport"
        verbose_name_plural = "instantanés de rapports"
        indexes = [models.Index(fields=["contract_id", "kind", "period"])]
        ordering = ["-created_at", "-id"]


class PeriodLock(models.Model):
    """A frozen annual review: year ``year`` of contract ``contract_id`` is locked, and
    ``snapshot`` is THE review of that year, as frozen. A value of that year changes only with a
    motif (cpog.store.period_locks); unfreezing deletes the row (both audited)."""

    contract_id = models.SlugField("contrat", max_length=80)
    year = models.PositiveSmallIntegerField("année")
    snapshot = models.ForeignKey(
        ReportSnapshot, on_delete=models.PROTECT, verbose_name="revue figée"
    )
    frozen_by = models.CharField("figée par", max_length=150)
    frozen_at = models.DateTimeField("figée le")

    class Meta:
        verbose_name = "année figée"
        verbose_name_plural = "années figées"
        constraints = [
            models.UniqueConstraint(fields=["contract_id", "year"], name="unique_period_lock")
        ]
        ordering = ["contract_id", "year"]


class Campaign(models.Model):
    """A reporting campaign (« campagne de saisie », decision 026): the values of one period
    awaited from a caisse's pilots by a due date (cpog.store.campaigns, cpog.contexts.campaigns)."""

    class State(models.TextChoices):
        OPEN = "ouverte", vocabulary.CAMPAIGN_STATE["ouverte"]
        CLOSED = "close", vocabulary.CAMPAIGN_STATE["close"]

    contract_id = models.SlugField("contrat", max_length=80)
    caisse_code = models.CharField("caisse", max_length=20, db_index=True)
    period_key = models.CharField("période", max_length=16)
    opens_on = models.DateField("ouverture")
    due_on = models.DateField("échéance")
    subjects = models.JSONField("sujets")  # ["indicator:cog-08-32", …]
    state = models.CharField("état", max_length=10, choices=State.choices, default=State.OPEN)
    created_by = models.CharField("ouverte par", max_length=150)
    created_at = models.DateTimeField("ouverte le", auto_now_add=True)
    closed_by = models.CharField("close par", max_length=150, blank=True)
    closed_on = models.DateField("close le", null=True, blank=True)

    class Meta:
        verbose_name = "campagne de saisie"
        verbose_name_plural = "campagnes de saisie"
        ordering = ["-due_on", "-id"]

    def __str__(self) -> str:
        return f"campagne n°{self.pk} ({self.period_key})"


class CampaignReminder(models.Model):
    """A reminder e-mail sent for a campaign: at most one per recipient per campaign per day
    (``sent_on`` is the date of situation, cpog.clock), so that running the reminders twice sends
    nothing new. The row is claimed before the e-mail is sent and deleted if the sending fails."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="reminders", verbose_name="campagne"
    )
    recipient = models.CharField("destinataire", max_length=150)  # a username
    email = models.CharField("adresse", max_length=254)
    kind = models.CharField("type", max_length=10)
    sent_on = models.DateField("jour")
    sent_at = models.DateTimeField("envoyée le", auto_now_add=True)
    sent_by = models.CharField("envoyée par", max_length=150)
    subjects = models.JSONField("sujets")

    class Meta:
        verbose_name = "relance"
        verbose_name_plural = "relances"
        ordering = ["-sent_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "recipient", "sent_on"], name="one_reminder_a_day"
            )
        ]
