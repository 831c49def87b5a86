-- COG 10-41 — Montant total des préjudices frauduleux constatés.
/*
subject: indicator/cog-10-41
version: 1
label: Montant total des préjudices frauduleux constatés
measure: sum
grain: year_to_date
tables: [indus]
notes:
  - >-
    Somme des préjudices (colonne prejudice) des indus frauduleux dont la fraude est qualifiée
    (fraude_qualifiee_le) du 1er janvier à la fin du mois ; le cumul repart de zéro chaque
    1er janvier (une fraude qualifiée le 31/12 compte dans l'année qui finit, une fraude
    qualifiée le 01/01 dans l'année qui commence).
  - >-
    Un indu frauduleux sans date de qualification n'est pas encore compté ; un préjudice vide
    compte pour zéro. Le territoire est celui de la commune de l'indu.
  - >-
    À confirmer avec la fiche indicateur de la Cnaf : la date qui fait entrer la fraude dans la
    période (qualification de la fraude plutôt que constatation de l'indu), choix de cpog.
*/
WITH par_jour AS (
    SELECT i.commune, i.fraude_qualifiee_le AS jour, SUM(i.prejudice) AS prejudices
    FROM indus AS i
    WHERE i.frauduleux AND i.fraude_qualifiee_le IS NOT NULL
    GROUP BY i.commune, i.fraude_qualifiee_le
)
SELECT p.periode, t.territoire, SUM(j.prejudices) AS numerateur,
       CAST(NULL AS BIGINT) AS denominateur
FROM par_jour AS j
JOIN territoires AS t ON t.commune = j.commune
JOIN periodes AS p ON j.jour BETWEEN p.debut AND p.fin
GROUP BY p.periode, t.territoire
