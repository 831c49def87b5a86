-- COG 08-33 — Proportion du stock dont l'antériorité est supérieure à 40 jours.
/*
subject: indicator/cog-08-33
version: 1
label: Proportion du stock dont l'antériorité est supérieure à 40 jours
measure: ratio
grain: month
tables: [pieces, demarches]
parameters:
  seuil:
    default: 40
    description: Antériorité (en jours calendaires) au-delà de laquelle un élément du stock est ancien.
  unite:
    default: pieces
    choices: [pieces, demarches]
    to_confirm: true
    description: Le stock compté en pièces (le défaut) ou en démarches.
  valeur_annuelle:
    default: decembre
    choices: [decembre, moyenne_fins_de_mois]
    to_confirm: true
    description: >-
      Valeur d'une période de plusieurs mois (une année) : la photographie de son dernier mois
      (décembre pour une année), ou les fins de mois de la période mises ensemble (stocks et
      éléments anciens additionnés sur les fins de mois).
notes:
  - Photographie du stock à chaque fin de mois d — un élément est en stock s'il est reçu au plus tard le jour d (recue_le <= d) et pas encore traité ce jour-là (traitee_le vide ou postérieure à d).
  - Numérateur — les éléments du stock dont l'antériorité, d moins la date de réception en jours calendaires, dépasse le seuil (plus de 40 jours).
  - Un stock vide donne « non calculable ».
  - Calcul sans comparaison élément par élément de chaque fin de mois — chaque élément entre dans le stock à la première fin de mois qui suit sa réception (ou le jour même), en sort à la première fin de mois qui suit son traitement, devient ancien à la première fin de mois qui suit le jour où son antériorité dépasse le seuil ; le stock d'une fin de mois est la somme des entrées moins les sorties jusqu'à elle.
  - À confirmer — pièces ou démarches ; valeur annuelle (décembre ou fins de mois).
*/
WITH elements AS (
    SELECT commune, recue_le, traitee_le FROM pieces WHERE :unite = 'pieces'
    UNION ALL
    SELECT commune, recue_le, traitee_le FROM demarches WHERE :unite = 'demarches'
), anciennete AS (
    -- chaque jour, avec le jour où un élément reçu ce jour-là devient ancien (son antériorité
    -- dépasse alors le seuil)
    SELECT r.jour, a.jour AS ancien_le
    FROM jours AS r
    JOIN jours AS a ON a.rang = r.rang + :seuil + 1
), mouvements AS (
    -- par commune et par jour : les éléments qui entrent en stock, en sortent, deviennent
    -- anciens, sortent du stock ancien ; une date de traitement antérieure à la réception
    -- (erreur d'extrait) vaut le jour de réception
    SELECT commune, recue_le AS jour, COUNT(*) AS stock, 0 AS anciens
    FROM elements
    GROUP BY commune, recue_le
    UNION ALL
    SELECT
        commune,
        CASE WHEN traitee_le < recue_le THEN recue_le ELSE traitee_le END AS jour,
        -COUNT(*) AS stock,
        0 AS anciens
    FROM elements
    WHERE traitee_le IS NOT NULL
    GROUP BY commune, CASE WHEN traitee_le < recue_le THEN recue_le ELSE traitee_le END
    UNION ALL
    SELECT e.commune, a.ancien_le AS jour, 0 AS stock, COUNT(*) AS anciens
    FROM elements AS e
    JOIN anciennete AS a ON a.jour = e.recue_le
    WHERE e.traitee_le IS NULL OR a.ancien_le < e.traitee_le
    GROUP BY e.commune, a.ancien_le
    UNION ALL
    SELECT e.commune, e.traitee_le AS jour, 0 AS stock, -COUNT(*) AS anciens
    FROM elements AS e
    JOIN anciennete AS a ON a.jour = e.recue_le
    WHERE a.ancien_le < e.traitee_le
    GROUP BY e.commune, e.traitee_le
), photos_toutes AS (
    SELECT DISTINCT jour FROM fins_de_mois
), jalons AS (
    -- chaque jour, avec la première fin de mois qui le suit (ou lui-même)
    SELECT j.jour, MIN(ph.jour) AS photo
    FROM jours AS j
    JOIN photos_toutes AS ph ON j.jour <= ph.jour
    GROUP BY j.jour
), par_photo AS (
    SELECT m.commune, jl.photo, SUM(m.stock) AS stock, SUM(m.anciens) AS anciens
    FROM mouvements AS m
    JOIN jalons AS jl ON jl.jour = m.jour
    GROUP BY m.commune, jl.photo
), cumul AS (
    -- le stock à chaque fin de mois : les entrées moins les sorties jusqu'à elle
    SELECT ph.jour, m.commune, SUM(m.stock) AS stock, SUM(m.anciens) AS anciens
    FROM photos_toutes AS ph
    JOIN par_photo AS m ON m.photo <= ph.jour
    GROUP BY ph.jour, m.commune
), photos AS (
    SELECT f.periode, f.jour
    FROM fins_de_mois AS f
    JOIN periodes AS p ON p.periode = f.periode
    WHERE :valeur_annuelle = 'moyenne_fins_de_mois' OR f.jour = p.fin
)
SELECT ph.periode, t.territoire, SUM(c.anciens) AS numerateur, SUM(c.stock) AS denominateur
FROM photos AS ph
JOIN cumul AS c ON c.jour = ph.jour
JOIN territoires AS t ON t.commune = c.commune
GROUP BY ph.periode, t.territoire
