-- Taux d'atteinte de l'objectif datamining métier (cible 250) en volume — hors COG.
/*
subject: indicator/datamining-metier
version: 1
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
WITH par_jour AS (
    SELECT c.commune, c.realise_le AS jour, COUNT(*) AS controles
    FROM controles AS c
    WHERE c.cible_datamining AND c.realise_le IS NOT NULL
    GROUP BY c.commune, c.realise_le
), realises AS (
    SELECT p.periode, t.territoire, SUM(j.controles) AS controles
    FROM par_jour AS j
    JOIN territoires AS t ON t.commune = j.commune
    JOIN periodes AS p ON j.jour BETWEEN p.debut AND p.fin
    GROUP BY p.periode, t.territoire
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
