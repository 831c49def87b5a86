-- Chiffre clé du diagnostic territorial : Naissances annuelles.
/*
subject: figure/kf-naissances
version: 1
label: Naissances annuelles
measure: count
grain: year
tables: [allocataires]
notes:
  - >-
    Nombre de naissances de l'année : les lignes de l'extrait allocataires marquées naissance,
    additionnées sur les douze mois de l'année (une naissance est signalée le mois où elle
    survient, dans le dossier de l'allocataire).
  - >-
    Le diagnostic compte les naissances de tout le département (état civil) ; l'extrait ne voit
    que celles des foyers allocataires : à confirmer. Un mois absent de l'extrait compte pour
    zéro naissance.
*/
WITH par_mois AS (
    SELECT a.mois, a.commune, COUNT(*) AS naissances
    FROM allocataires AS a
    WHERE a.naissance
    GROUP BY a.mois, a.commune
)
SELECT f.periode, t.territoire, SUM(m.naissances) AS numerateur,
       CAST(NULL AS BIGINT) AS denominateur
FROM par_mois AS m
JOIN fins_de_mois AS f ON f.mois = m.mois
JOIN territoires AS t ON t.commune = m.commune
GROUP BY f.periode, t.territoire
