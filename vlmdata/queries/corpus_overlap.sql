-- Overlap of two corpora: the classes each one mentions, side by side.
--
-- `presence` is both, only a or only b; `share_a` and `share_b` are the fractions of each
-- corpus's texts that mention the class, so corpora of different sizes compare. Classes that
-- neither mentions are left out (see never_mentioned).
--
-- @param corpus_a: str               an indexed corpus whose classes were counted
-- @param corpus_b: str               another one, counted with the same label set and mode
-- @param label_set: str = imagenet   the label set given to count-classes
-- @param mode: str = wordnet         the match mode given to count-classes (wordnet, exact)
-- @param limit: int = 100            number of classes to show
WITH a AS (
    SELECT class_index, texts FROM class_counts
    WHERE corpus = $corpus_a AND label_set = $label_set AND mode = $mode
),
b AS (
    SELECT class_index, texts FROM class_counts
    WHERE corpus = $corpus_b AND label_set = $label_set AND mode = $mode
)
SELECT c.class_index, c.wnid, c.name,
       CASE WHEN a.texts IS NOT NULL AND b.texts IS NOT NULL THEN 'both'
            WHEN a.texts IS NOT NULL THEN 'only a' ELSE 'only b' END AS presence,
       coalesce(a.texts, 0) AS texts_a, coalesce(b.texts, 0) AS texts_b,
       round(coalesce(a.texts, 0) / (SELECT count(*) FROM texts WHERE corpus = $corpus_a), 6)
           AS share_a,
       round(coalesce(b.texts, 0) / (SELECT count(*) FROM texts WHERE corpus = $corpus_b), 6)
           AS share_b
FROM classes c
LEFT JOIN a ON a.class_index = c.class_index
LEFT JOIN b ON b.class_index = c.class_index
WHERE c.label_set = $label_set AND (a.texts IS NOT NULL OR b.texts IS NOT NULL)
ORDER BY presence, coalesce(a.texts, 0) + coalesce(b.texts, 0) DESC, c.class_index
LIMIT $limit;
