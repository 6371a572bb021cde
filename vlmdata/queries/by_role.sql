-- Per-role breakdown: for the most mentioned classes, the texts of each role that mention them.
--
-- `class_share` is the fraction of the class's texts that have this role (do the questions or
-- the answers name it?); `role_share` the fraction of the role's texts that mention the class.
--
-- @param corpus: str                 an indexed corpus whose classes were counted
-- @param label_set: str = imagenet   the label set given to count-classes
-- @param mode: str = wordnet         the match mode given to count-classes (wordnet, exact)
-- @param limit: int = 20             number of classes to show
WITH per_role AS (
    SELECT class_index, wnid, name, role, texts, mentions
    FROM class_counts_by_role
    WHERE corpus = $corpus AND label_set = $label_set AND mode = $mode
),
top AS (
    SELECT class_index, sum(texts) AS class_texts
    FROM per_role
    GROUP BY class_index
    ORDER BY class_texts DESC, class_index
    LIMIT $limit
),
roles AS (
    SELECT role, count(*) AS role_texts FROM texts WHERE corpus = $corpus GROUP BY role
)
SELECT p.class_index, p.wnid, p.name, p.role, p.texts, p.mentions,
       round(p.texts / t.class_texts, 4) AS class_share,
       round(p.texts / r.role_texts, 6) AS role_share
FROM per_role p
JOIN top t USING (class_index)
JOIN roles r USING (role)
ORDER BY t.class_texts DESC, p.class_index, p.texts DESC, p.role;
