-- COG 08-28 — Taux d'utilisation des téléservices bouquet allocataires.
/*
subject: indicator/cog-08-28
version: 2
label: Taux d'utilisation des téléservices bouquet allocataires
measure: ratio
grain: year_to_date
tables: [demarches]
parameters:
  portail_partenaire:
    default: exclu
    choices: [exclu, inclus]
    to_confirm: true
    description: >-
      Une démarche reçue par le portail d'un partenaire compte-t-elle comme faite en ligne ?
      Par défaut non.
notes:
  - Dénominateur — les démarches pour lesquelles un téléservice existe (teleservice_disponible), reçues dans la période (recue_le), traitées ou non.
  - Numérateur — celles reçues par téléservice (canal teleservice ; avec portail_partenaire inclus, aussi le canal portail_partenaire).
  - Valeur en cumul depuis le 1er janvier.
  - À confirmer — la place du portail partenaire.
*/
WITH par_mois AS (
    -- par territoire et par mois de réception
    SELECT
        t.territoire,
        j.fin_mois,
        SUM(CASE WHEN d.canal = 'teleservice'
                   OR (:portail_partenaire = 'inclus' AND d.canal = 'portail_partenaire')
                 THEN 1 ELSE 0 END) AS en_ligne,
        COUNT(*) AS demarches
    FROM demarches AS d
    JOIN jours AS j ON j.jour = d.recue_le
    JOIN territoires AS t ON t.commune = d.commune
    WHERE d.teleservice_disponible
    GROUP BY t.territoire, j.fin_mois
)
SELECT p.periode, m.territoire, SUM(m.en_ligne) AS numerateur, SUM(m.demarches) AS denominateur
FROM par_mois AS m
-- chaque période commence un 1er et finit une fin de mois : un jour est dans la période
-- si et seulement si sa fin de mois y est
JOIN periodes AS p ON p.debut <= m.fin_mois AND m.fin_mois <= p.fin
GROUP BY p.periode, m.territoire
