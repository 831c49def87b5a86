-- Chiffre clé du diagnostic territorial : Part des situations de monoparentalité.
/*
subject: figure/kf-part-monoparents
version: 1
label: Part des situations de monoparentalité
measure: ratio
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
    Part des allocataires en situation de monoparentalité (situation_familiale « monoparent »)
    parmi tous les allocataires payés, × 100, par défaut à l'état de décembre ; avec la moyenne
    des fins de mois, les deux comptes sont additionnés sur les douze états. L'année est
    calculée une fois close dans les données ; un territoire sans allocataire est non
    calculable.
  - >-
    À confirmer : la valeur d'une année (état de décembre ou moyenne des fins de mois).
*/
WITH etats AS (
    -- les fins de mois retenues pour chaque année close dans les données
    SELECT f.periode, f.mois
    FROM fins_de_mois AS f
    JOIN periodes AS p ON p.periode = f.periode
    WHERE p.fin <= :fin_donnees
      AND (:valeur_annuelle = 'moyenne_fins_de_mois' OR f.jour = p.fin)
), par_commune AS (
    SELECT
        e.periode,
        a.commune,
        SUM(CASE WHEN a.situation_familiale = 'monoparent' THEN 1 ELSE 0 END) AS monoparents,
        COUNT(*) AS allocataires
    FROM allocataires AS a
    JOIN etats AS e ON e.mois = a.mois
    GROUP BY e.periode, a.commune
)
SELECT c.periode, t.territoire, SUM(c.monoparents) AS numerateur,
       SUM(c.allocataires) AS denominateur
FROM par_commune AS c
JOIN territoires AS t ON t.commune = c.commune
GROUP BY c.periode, t.territoire
