-- Chiffre clé du diagnostic territorial : Nombre d'allocataires.
/*
subject: figure/kf-allocataires
version: 1
label: Nombre d'allocataires
measure: mean
grain: year
tables: [allocataires]
parameters:
  valeur_annuelle:
    default: decembre
    choices: [decembre, moyenne_fins_de_mois]
    to_confirm: true
    description: >-
      decembre : l'état de décembre ; moyenne_fins_de_mois : la moyenne des douze états de fin
      de mois de l'année.
notes:
  - >-
    Nombre d'allocataires payés (une ligne de l'extrait allocataires par dossier et par mois),
    par défaut à l'état de décembre. L'année est calculée une fois close dans les données (31
    décembre ≤ fin des données) ; avant : non calculable.
  - >-
    Le numérateur additionne les allocataires des états retenus, le dénominateur compte ces
    états (1 pour décembre, 12 pour la moyenne) : la valeur est le nombre de décembre ou le
    nombre moyen sur l'année ; une commune sans allocataires aux états retenus vaut 0. Les
    valeurs des territoires s'additionnent en celle de la caisse.
  - >-
    À confirmer : la valeur d'une année (état de décembre ou moyenne des fins de mois) ; le
    périmètre (allocataires payés au mois, sans les droits suspendus).
*/
WITH etats AS (
    -- les fins de mois retenues pour chaque année close dans les données
    SELECT f.periode, f.mois
    FROM fins_de_mois AS f
    JOIN periodes AS p ON p.periode = f.periode
    WHERE p.fin <= :fin_donnees
      AND (:valeur_annuelle = 'moyenne_fins_de_mois' OR f.jour = p.fin)
), par_commune AS (
    SELECT e.periode, a.commune, COUNT(*) AS allocataires
    FROM allocataires AS a
    JOIN etats AS e ON e.mois = a.mois
    GROUP BY e.periode, a.commune
), comptes AS (
    SELECT c.periode, t.territoire, SUM(c.allocataires) AS numerateur
    FROM par_commune AS c
    JOIN territoires AS t ON t.commune = c.commune
    GROUP BY c.periode, t.territoire
), nombre_etats AS (
    SELECT periode, COUNT(*) AS etats FROM etats GROUP BY periode
)
SELECT n.periode, t.territoire, COALESCE(c.numerateur, 0) AS numerateur, n.etats AS denominateur
FROM nombre_etats AS n
CROSS JOIN (SELECT DISTINCT territoire FROM territoires) AS t
LEFT JOIN comptes AS c ON c.periode = n.periode AND c.territoire = t.territoire
