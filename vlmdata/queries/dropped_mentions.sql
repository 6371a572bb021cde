-- Mentions the matcher dropped, and why: per reason and class, how many, with a first example.
--
-- A surface hit that the matcher decided against (another sense, an overlap with a longer
-- form, a name two classes share) stays in `mentions` with kept = false and a reason; these
-- are the groups of such hits, largest first.
--
-- @param corpus: str                 an indexed corpus whose classes were counted
-- @param label_set: str = imagenet   the label set given to count-classes
-- @param mode: str = wordnet         the match mode given to count-classes (wordnet, exact)
-- @param limit: int = 50             number of groups to show
SELECT reason, class_index, wnid, name, count(*) AS mentions,
       count(DISTINCT text_id) AS texts,
       arg_min(record_id, text_id) AS example_record,
       arg_min(
           regexp_replace(
               substring(text, greatest(char_start - 30, 0) + 1,
                         char_end + 30 - greatest(char_start - 30, 0)),
               '\s+', ' ', 'g'),
           text_id) AS example
FROM mention_contexts
WHERE corpus = $corpus AND label_set = $label_set AND mode = $mode AND NOT kept
GROUP BY reason, class_index, wnid, name
ORDER BY mentions DESC, reason, class_index
LIMIT $limit;
