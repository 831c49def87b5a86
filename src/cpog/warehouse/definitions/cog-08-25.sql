-- COG 08-25 — Taux de réclamations traitées dans le délai de 10 jours.
/*
subject: indicator/cog-08-25
version: 2
label: Taux de réclamations traitées dans le délai de 10 jours
measure: ratio
grain: year_to_date
tables: [reclamations]
parameters:
  jours:
    default: calendaires
    choices: [calendaires, ouvres]
    to_confirm: true
    description: >-
      Délai compté en jours calendaires, ou en jours ouvrés (du lundi au vendredi, hors jours
      fériés : les jours ouvrés entre le début, exclu, et la fin, incluse) ; la règle de la
      branche n'est pas connue ici.
  delai_max:
    default: 10
    description: Délai maximal (en jours) d'une réclamation traitée « dans le délai ».
notes:
  - Le délai court de la réception de la réclamation (recue_le) à sa clôture (close_le).
  - Dénominateur — les réclamations closes dans la période ; numérateur — celles closes en au plus delai_max jours. Les réclamations encore ouvertes n'y entrent pas.
  - Valeur en cumul depuis le 1er janvier.
  - À confirmer — jours calendaires ou ouvrés.
*/
WITH closes AS (
    SELECT
        r.commune,
        fin.fin_mois,
        CASE WHEN :jours = 'ouvres' THEN fin.rang_ouvre - debut.rang_ouvre
             ELSE fin.rang - debut.rang END AS delai
    FROM reclamations AS r
    JOIN jours AS debut ON debut.jour = r.recue_le
    JOIN jours AS fin ON fin.jour = r.close_le
    WHERE r.close_le IS NOT NULL
), par_mois AS (
    -- par territoire et par mois de l'événement qui clôt le flux
    SELECT
        t.territoire,
        c.fin_mois,
        SUM(CASE WHEN c.delai <= :delai_max THEN 1 ELSE 0 END) AS dans_le_delai,
        COUNT(*) AS reclamations
    FROM closes AS c
    JOIN territoires AS t ON t.commune = c.commune
    GROUP BY t.territoire, c.fin_mois
)
SELECT p.periode, m.territoire, SUM(m.dans_le_delai) AS numerateur,
       SUM(m.reclamations) AS denominateur
FROM par_mois AS m
-- chaque période commence un 1er et finit une fin de mois : un jour est dans la période
-- si et seulement si sa fin de mois y est
JOIN periodes AS p ON p.debut <= m.fin_mois AND m.fin_mois <= p.fin
GROUP BY p.periode, m.territoire
