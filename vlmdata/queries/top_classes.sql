-- Top classes of a corpus: the classes mentioned in the most texts.
--
-- Only mentions the matcher kept count. `share` is the fraction of the corpus's texts that
-- mention the class.
--
-- @param corpus: str                 an indexed corpus whose classes were counted
-- @param label_set: str = imagenet   the label set given to count-classes
-- @param mode: str = wordnet         the match mode given to count-classes (wordnet, exact)
-- @param limit: int = 20             number of classes to show
SELECT cc.class_index, cc.wnid, cc.name, cc.texts, cc.mentions,
       round(cc.texts / (SELECT count(*) FROM texts WHERE corpus = $corpus), 6) AS share
FROM class_counts cc
WHERE cc.corpus = $corpus AND cc.label_set = $label_set AND cc.mode = $mode
ORDER BY cc.texts DESC, cc.mentions DESC, cc.class_index
LIMIT $limit;
