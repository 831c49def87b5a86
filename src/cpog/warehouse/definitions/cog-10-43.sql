-- COG 10-43 — Taux de recouvrement des indus non frauduleux.
/*
subject: indicator/cog-10-43
version: 1
label: Taux de recouvrement des indus non frauduleux
measure: ratio
grain: year
tables: [indus, recouvrements]
parameters:
  methode:
    default: cohorte
    choices: [cohorte, flux]
    to_confirm: true
    description: >-
      cohorte : les indus constatés l'année N et ce qui en est recouvré dans l'horizon qui suit
      leur constatation ; flux : les montants recouvrés pendant l'année N sur tous les indus,
      rapportés aux indus constatés pendant l'année N.
  horizon_jours:
    default: 365
    to_confirm: true
    description: >-
      Méthode par cohorte : nombre de jours calendaires après la constatation de l'indu pendant
      lesquels un recouvrement compte. Avec 365, pour un indu constaté le 01/02/2024, un
      recouvrement du 31/01/2025 compte (365 jours) et un recouvrement du 01/02/2025 non
      (366 jours : 2024 est bissextile).
  retenues:
    default: incluses
    choices: [incluses, exclues]
    to_confirm: true
    description: >-
      Compter ou non les recouvrements par retenue sur d'autres prestations (mode « retenue »),
      en plus des remboursements.
notes:
  - >-
    Périmètre : les indus non frauduleux, toutes prestations (RSA compris), rattachés au
    territoire de la commune de l'indu ; un recouvrement est rattaché à son indu
    (un recouvrement dont l'indu manque à l'extrait des indus n'est pas compté).
  - >-
    Par défaut (méthode par cohorte) : dénominateur = montant des indus non frauduleux
    constatés (constate_le) pendant l'année N ; numérateur = montants recouvrés sur ces indus au
    plus horizon_jours (365) jours après leur constatation, remboursements et retenues sur
    d'autres prestations compris. L'année N n'est calculée qu'une fois l'horizon atteint pour
    tous ses indus (31 décembre N + horizon ≤ fin des données) ; avant : non calculable.
  - >-
    Méthode par flux : montants recouvrés pendant l'année N (sur des indus de toutes années)
    rapportés aux indus constatés pendant l'année N ; l'année n'est calculée qu'une fois close
    dans les données.
  - >-
    À confirmer avec la fiche indicateur de la Cnaf : la méthode (cohorte ou flux), l'horizon,
    la prise en compte des retenues sur prestations.
*/
WITH indus_retenus AS (
    SELECT i.id_indu, i.commune, i.constate_le, i.montant
    FROM indus AS i
    WHERE NOT i.frauduleux
), recouvrements_retenus AS (
    SELECT i.commune, i.constate_le, r.recouvre_le, r.montant
    FROM recouvrements AS r
    JOIN indus_retenus AS i ON i.id_indu = r.id_indu
    WHERE :retenues = 'incluses' OR r.mode <> 'retenue'
), par_jour AS (
    -- montants constatés, par commune et jour de constatation (les deux méthodes)
    SELECT commune, constate_le AS jour, SUM(montant) AS constate, 0 AS recouvre
    FROM indus_retenus
    GROUP BY commune, constate_le
    UNION ALL
    -- cohorte : recouvré dans l'horizon, au jour de constatation de l'indu
    SELECT r.commune, r.constate_le AS jour, 0 AS constate, SUM(r.montant) AS recouvre
    FROM recouvrements_retenus AS r
    JOIN jours AS debut ON debut.jour = r.constate_le
    JOIN jours AS fin ON fin.jour = r.recouvre_le
    WHERE :methode = 'cohorte' AND fin.rang - debut.rang <= :horizon_jours
    GROUP BY r.commune, r.constate_le
    UNION ALL
    -- flux : recouvré au jour du recouvrement
    SELECT r.commune, r.recouvre_le AS jour, 0 AS constate, SUM(r.montant) AS recouvre
    FROM recouvrements_retenus AS r
    WHERE :methode = 'flux'
    GROUP BY r.commune, r.recouvre_le
)
SELECT p.periode, t.territoire, SUM(j.recouvre) AS numerateur, SUM(j.constate) AS denominateur
FROM par_jour AS j
JOIN territoires AS t ON t.commune = j.commune
JOIN periodes AS p ON j.jour BETWEEN p.debut AND p.fin
JOIN jours AS fin_periode ON fin_periode.jour = p.fin
JOIN jours AS fin_donnees ON fin_donnees.jour = :fin_donnees
WHERE fin_periode.rang + CASE WHEN :methode = 'cohorte' THEN :horizon_jours ELSE 0 END
      <= fin_donnees.rang
GROUP BY p.periode, t.territoire
