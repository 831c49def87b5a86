-- Taux d'atteinte de l'objectif datamining métier (cible 250) en volume — hors COG.
/*
subject: indicator/datamining-metier
version: 2
label: Taux d'atteinte de l'objectif datamining métier (cible 250) en volume
measure: ratio
grain: year_to_date
tables: [controles]
parameters:
  objectif:
    default: 250
    description: Objectif annuel de contrôles ciblés par le datamining métier (cible du contrat).
  plafond:
    default: non
    choices: [non, oui]
    to_confirm: true
    description: >-
      oui : le taux est plafonné à 100 % (les contrôles au-delà de l'objectif ne comptent pas) ;
      non : il peut dépasser 100 %.
notes:
  - >-
    Contrôles ciblés par le datamining métier (cible_datamining) réalisés (realise_le) du
    1er janvier à la fin du mois, rapportés à l'objectif annuel (250), × 100 ; le cumul repart
    de zéro chaque 1er janvier. Un mois sans contrôle réalisé donne 0 %, pas « non calculable ».
  - >-
    Par territoire (EPCI, commune) : les contrôles réalisés dans le territoire rapportés à
    l'objectif de la caisse, de sorte que les taux des territoires s'additionnent en celui de la
    caisse (sans plafond) ; la caisse n'a pas d'objectif par territoire.
  - >-
    À confirmer : le plafonnement à 100 % et la date qui fait compter le contrôle (réalisation
    plutôt que lancement).
*/
WITH par_mois AS (
    -- par territoire et par mois de réalisation
    SELECT t.territoire, j.fin_mois, COUNT(*) AS controles
    FROM controles AS c
    JOIN jours AS j ON j.jour = c.realise_le
    JOIN territoires AS t ON t.commune = c.commune
    WHERE c.cible_datamining AND c.realise_le IS NOT NULL
    GROUP BY t.territoire, j.fin_mois
), realises AS (
    SELECT p.periode, m.territoire, SUM(m.controles) AS controles
    FROM par_mois AS m
    -- chaque période commence un 1er et finit une fin de mois : un jour est dans la période
    -- si et seulement si sa fin de mois y est
    JOIN periodes AS p ON p.debut <= m.fin_mois AND m.fin_mois <= p.fin
    GROUP BY p.periode, m.territoire
), grille AS (
    SELECT p.periode, t.territoire
    FROM periodes AS p
    CROSS JOIN (SELECT DISTINCT territoire FROM territoires) AS t
)
SELECT
    g.periode,
    g.territoire,
    CASE WHEN :plafond = 'oui' AND COALESCE(r.controles, 0) > :objectif THEN :objectif
         ELSE COALESCE(r.controles, 0) END AS numerateur,
    :objectif AS denominateur
FROM grille AS g
LEFT JOIN realises AS r ON r.periode = g.periode AND r.territoire = g.territoire
