-- COG 08-32 — Délai moyen de démarche des pièces de demande de l'aide personnelle au logement.
/*
subject: indicator/cog-08-32
version: 2
label: Délai moyen de démarche des pièces de demande de l'aide personnelle au logement
measure: mean
grain: year_to_date
tables: [pieces]
parameters:
  jours:
    default: calendaires
    choices: [calendaires, ouvres]
    to_confirm: true
    description: >-
      Délai compté en jours calendaires, ou en jours ouvrés (du lundi au vendredi, hors jours
      fériés : les jours ouvrés entre le début, exclu, et la fin, incluse) ; la règle de la
      branche n'est pas connue ici.
notes:
  - Pièces de demande (type_piece demande) de la famille aide au logement, traitées dans la période.
  - Le délai court de la réception de la pièce (recue_le) à son traitement (traitee_le) ; les pièces encore en stock n'y entrent pas.
  - Valeur en cumul depuis le 1er janvier.
  - À confirmer — jours calendaires ou ouvrés ; toutes les aides au logement (APL, ALF, ALS) sont comptées.
*/
WITH traitees AS (
    SELECT
        x.commune,
        fin.fin_mois,
        CASE WHEN :jours = 'ouvres' THEN fin.rang_ouvre - debut.rang_ouvre
             ELSE fin.rang - debut.rang END AS delai
    FROM pieces AS x
    JOIN jours AS debut ON debut.jour = x.recue_le
    JOIN jours AS fin ON fin.jour = x.traitee_le
    WHERE x.traitee_le IS NOT NULL
      AND x.famille = 'aide_logement'
      AND x.type_piece = 'demande'
), par_mois AS (
    -- par territoire et par mois de l'événement qui clôt le flux
    SELECT
        t.territoire,
        x.fin_mois,
        SUM(x.delai) AS delais,
        COUNT(*) AS pieces
    FROM traitees AS x
    JOIN territoires AS t ON t.commune = x.commune
    GROUP BY t.territoire, x.fin_mois
)
SELECT p.periode, m.territoire, SUM(m.delais) AS numerateur, SUM(m.pieces) AS denominateur
FROM par_mois AS m
-- chaque période commence un 1er et finit une fin de mois : un jour est dans la période
-- si et seulement si sa fin de mois y est
JOIN periodes AS p ON p.debut <= m.fin_mois AND m.fin_mois <= p.fin
GROUP BY p.periode, m.territoire
