-- Classes never mentioned: the classes of the label set that no kept mention in the corpus names.
--
-- `dropped` counts the mentions of the class that the matcher did not keep, and `top_reason`
-- says why most of them were dropped: a class that is only ever dropped may point to a sense
-- rule that is too strict. Empty when the corpus was not counted with this label set and mode.
--
-- @param corpus: str                 an indexed corpus whose classes were counted
-- @param label_set: str = imagenet   the label set given to count-classes
-- @param mode: str = wordnet         the match mode given to count-classes (wordnet, exact)
SELECT c.class_index, c.wnid, c.name, count(m.text_id) AS dropped, mode(m.reason) AS top_reason
FROM count_runs cr
JOIN classes c ON c.label_set = cr.label_set
LEFT JOIN mentions m
  ON m.corpus = cr.corpus AND m.label_set = cr.label_set AND m.mode = cr.mode
 AND m.class_index = c.class_index
WHERE cr.corpus = $corpus AND cr.label_set = $label_set AND cr.mode = $mode
GROUP BY c.class_index, c.wnid, c.name
HAVING count(*) FILTER (WHERE m.kept) = 0
ORDER BY c.class_index;
