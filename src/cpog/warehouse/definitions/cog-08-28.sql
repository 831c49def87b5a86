-- COG 08-28 — Taux d'utilisation des téléservices bouquet allocataires.
/*
subject: indicator/cog-08-28
version: 1
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
WITH par_jour AS (
    SELECT
        d.commune,
        d.recue_le,
        SUM(CASE WHEN d.canal = 'teleservice'
                   OR (:portail_partenaire = 'inclus' AND d.canal = 'portail_partenaire')
                 THEN 1 ELSE 0 END) AS en_ligne,
        COUNT(*) AS demarches
    FROM demarches AS d
    WHERE d.teleservice_disponible
    GROUP BY d.commune, d.recue_le
)
SELECT p.periode, t.territoire, SUM(j.en_ligne) AS numerateur, SUM(j.demarches) AS denominateur
FROM par_jour AS j
JOIN territoires AS t ON t.commune = j.commune
JOIN periodes AS p ON j.recue_le BETWEEN p.debut AND p.fin
GROUP BY p.periode, t.territoire
