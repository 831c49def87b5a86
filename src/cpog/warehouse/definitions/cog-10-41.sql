-- COG 10-41 — Montant total des préjudices frauduleux constatés.
/*
subject: indicator/cog-10-41
version: 2
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
WITH par_mois AS (
    -- par territoire et par mois de qualification de la fraude
    SELECT t.territoire, j.fin_mois, SUM(i.prejudice) AS prejudices
    FROM indus AS i
    JOIN jours AS j ON j.jour = i.fraude_qualifiee_le
    JOIN territoires AS t ON t.commune = i.commune
    WHERE i.frauduleux AND i.fraude_qualifiee_le IS NOT NULL
    GROUP BY t.territoire, j.fin_mois
)
SELECT p.periode, m.territoire, SUM(m.prejudices) AS numerateur,
       CAST(NULL AS BIGINT) AS denominateur
FROM par_mois AS m
-- chaque période commence un 1er et finit une fin de mois : un jour est dans la période
-- si et seulement si sa fin de mois y est
JOIN periodes AS p ON p.debut <= m.fin_mois AND m.fin_mois <= p.fin
GROUP BY p.periode, m.territoire
