-- COG 08-33 — Proportion du stock dont l'antériorité est supérieure à 40 jours.
/*
subject: indicator/cog-08-33
version: 2
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
  - Calcul sans comparaison élément par élément de chaque fin de mois — chaque élément entre dans le stock à la première fin de mois qui suit sa réception (ou le jour même), en sort à la première fin de mois qui suit son traitement (ou le jour même), devient ancien à la première fin de mois qui suit le jour où son antériorité dépasse le seuil (ou ce jour même) ; les éléments sont groupés par territoire et par ces trois fins de mois, et le stock d'une fin de mois est la somme des groupes entrés et pas encore sortis.
  - À confirmer — pièces ou démarches ; valeur annuelle (décembre ou fins de mois).
*/
WITH elements AS (
    SELECT commune, recue_le, traitee_le FROM pieces WHERE :unite = 'pieces'
    UNION ALL
    SELECT commune, recue_le, traitee_le FROM demarches WHERE :unite = 'demarches'
), photos_toutes AS (
    SELECT DISTINCT jour FROM fins_de_mois
), jalons AS (
    -- chaque jour, avec la première fin de mois qui le suit (ou lui-même)
    SELECT j.jour, j.rang, MIN(ph.jour) AS photo
    FROM jours AS j
    JOIN photos_toutes AS ph ON j.jour <= ph.jour
    GROUP BY j.jour, j.rang
), groupes AS (
    -- les éléments groupés par territoire et par les fins de mois où ils entrent en stock, en
    -- sortent et deviennent anciens : une fin de mois d suit la réception r (ou l'égale) si et
    -- seulement si r <= d ; elle suit le jour de rang rang(r) + seuil + 1 si et seulement si
    -- rang(d) − rang(r) > seuil ; une date de traitement antérieure à la réception (erreur
    -- d'extrait) vaut le jour de réception ; sortie ou ancienneté après la dernière fin de mois
    -- calculée : vide
    SELECT t.territoire, entree.photo AS entree, sortie.photo AS sortie, ancien.photo AS ancien,
           COUNT(*) AS elements
    FROM elements AS e
    JOIN territoires AS t ON t.commune = e.commune
    JOIN jalons AS entree ON entree.jour = e.recue_le
    LEFT JOIN jalons AS sortie
        ON sortie.jour = CASE WHEN e.traitee_le < e.recue_le THEN e.recue_le ELSE e.traitee_le END
    LEFT JOIN jalons AS ancien ON ancien.rang = entree.rang + :seuil + 1
    GROUP BY t.territoire, entree.photo, sortie.photo, ancien.photo
), photos AS (
    SELECT f.periode, f.jour
    FROM fins_de_mois AS f
    JOIN periodes AS p ON p.periode = f.periode
    WHERE :valeur_annuelle = 'moyenne_fins_de_mois' OR f.jour = p.fin
)
-- le stock d'une fin de mois d : les groupes entrés au plus tard à d et pas encore sortis
SELECT ph.periode, g.territoire,
       SUM(CASE WHEN g.ancien <= ph.jour THEN g.elements ELSE 0 END) AS numerateur,
       SUM(g.elements) AS denominateur
FROM photos AS ph
JOIN groupes AS g ON g.entree <= ph.jour AND (g.sortie IS NULL OR g.sortie > ph.jour)
GROUP BY ph.periode, g.territoire
