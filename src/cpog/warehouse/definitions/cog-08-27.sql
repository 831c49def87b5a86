-- COG 08-27 — Taux de courriels traités dans le délai de 2 jours.
/*
subject: indicator/cog-08-27
version: 2
label: Taux de courriels traités dans le délai de 2 jours sur les courriels d'information générale
measure: ratio
grain: year_to_date
tables: [courriels]
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
    default: 2
    description: Délai maximal (en jours) d'une réponse « dans le délai ».
notes:
  - Courriels d'information générale (nature information_generale) seulement.
  - Le délai court de la réception du courriel (recu_le) à la réponse (repondu_le).
  - Dénominateur — les courriels répondus dans la période ; numérateur — ceux répondus en au plus delai_max jours. Les courriels sans réponse n'y entrent pas.
  - Valeur en cumul depuis le 1er janvier.
  - À confirmer — jours calendaires ou ouvrés.
*/
WITH repondus AS (
    SELECT
        c.commune,
        fin.fin_mois,
        CASE WHEN :jours = 'ouvres' THEN fin.rang_ouvre - debut.rang_ouvre
             ELSE fin.rang - debut.rang END AS delai
    FROM courriels AS c
    JOIN jours AS debut ON debut.jour = c.recu_le
    JOIN jours AS fin ON fin.jour = c.repondu_le
    WHERE c.repondu_le IS NOT NULL AND c.nature = 'information_generale'
), par_mois AS (
    -- par territoire et par mois de l'événement qui clôt le flux
    SELECT
        t.territoire,
        r.fin_mois,
        SUM(CASE WHEN r.delai <= :delai_max THEN 1 ELSE 0 END) AS dans_le_delai,
        COUNT(*) AS courriels
    FROM repondus AS r
    JOIN territoires AS t ON t.commune = r.commune
    GROUP BY t.territoire, r.fin_mois
)
SELECT p.periode, m.territoire, SUM(m.dans_le_delai) AS numerateur,
       SUM(m.courriels) AS denominateur
FROM par_mois AS m
-- chaque période commence un 1er et finit une fin de mois : un jour est dans la période
-- si et seulement si sa fin de mois y est
JOIN periodes AS p ON p.debut <= m.fin_mois AND m.fin_mois <= p.fin
GROUP BY p.periode, m.territoire
