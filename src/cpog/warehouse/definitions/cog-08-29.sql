-- COG 08-29 — Délai moyen de démarche des prestations légales.
/*
subject: indicator/cog-08-29
version: 3
label: Délai moyen de démarche des prestations légales
measure: mean
grain: year_to_date
tables: [demarches]
parameters:
  jours:
    default: calendaires
    choices: [calendaires, ouvres]
    to_confirm: true
    description: >-
      Délai compté en jours calendaires, ou en jours ouvrés (du lundi au vendredi, hors jours
      fériés : les jours ouvrés entre le début, exclu, et la fin, incluse) ; la règle de la
      branche n'est pas connue ici.
  perimetre:
    default: hors_minima
    choices: [hors_minima, toutes]
    to_confirm: true
    description: >-
      Démarches comptées : hors minima sociaux (prestations légales et aide au logement, le
      défaut) ou toutes les familles de prestations.
notes:
  - Le délai court de la réception de la démarche (recue_le) à son traitement complet (traitee_le).
  - Une démarche compte dans la période où elle est traitée ; les démarches encore en stock n'y entrent pas.
  - Valeur en cumul depuis le 1er janvier (celle de mars couvre janvier à mars).
  - À confirmer — jours calendaires ou ouvrés ; périmètre « hors minima sociaux » (l'aide au logement y est comptée).
*/
WITH traitees AS (
    SELECT
        d.commune,
        fin.fin_mois,
        CASE WHEN :jours = 'ouvres' THEN fin.rang_ouvre - debut.rang_ouvre
             ELSE fin.rang - debut.rang END AS delai
    FROM demarches AS d
    JOIN jours AS debut ON debut.jour = d.recue_le
    JOIN jours AS fin ON fin.jour = d.traitee_le
    WHERE d.traitee_le IS NOT NULL
      AND (:perimetre = 'toutes' OR d.famille <> 'minima_sociaux')
), par_mois AS (
    -- par territoire et par mois de l'événement qui clôt le flux
    SELECT
        t.territoire,
        x.fin_mois,
        SUM(x.delai) AS delais,
        COUNT(*) AS demarches
    FROM traitees AS x
    JOIN territoires AS t ON t.commune = x.commune
    GROUP BY t.territoire, x.fin_mois
)
SELECT p.periode, m.territoire, SUM(m.delais) AS numerateur, SUM(m.demarches) AS denominateur
FROM par_mois AS m
-- chaque période commence un 1er et finit une fin de mois : un jour est dans la période
-- si et seulement si sa fin de mois y est
JOIN periodes AS p ON p.debut <= m.fin_mois AND m.fin_mois <= p.fin
GROUP BY p.periode, m.territoire
