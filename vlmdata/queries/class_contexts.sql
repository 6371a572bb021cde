-- Contexts of one class: every mention of it, keyword in context, with record id and role.
--
-- `class` is a class index, a WordNet id or a display name; a name can match several classes
-- (the CLIP-style ImageNet names repeat "missile" and "sunglasses"), which class_index and
-- wnid then tell apart. Dropped mentions show too, with the matcher's reason, unless
-- kept_only is true.
--
-- @param corpus: str                 an indexed corpus whose classes were counted
-- @param class: str                  class index, WordNet id or name
-- @param label_set: str = imagenet   the label set given to count-classes
-- @param mode: str = wordnet         the match mode given to count-classes (wordnet, exact)
-- @param width: int = 40             characters of context on each side
-- @param kept_only: bool = false     show only the mentions the matcher kept
-- @param limit: int = 50             number of mentions to show
SELECT record_id, turn, role, class_index, wnid,
       regexp_replace(
           substring(text, greatest(char_start - $width, 0) + 1,
                     char_start - greatest(char_start - $width, 0)),
           '\s+', ' ', 'g') AS "left",
       substring(text, char_start + 1, char_end - char_start) AS surface,
       regexp_replace(substring(text, char_end + 1, $width), '\s+', ' ', 'g') AS "right",
       kept, reason
FROM mention_contexts
WHERE corpus = $corpus AND label_set = $label_set AND mode = $mode
  AND (class_index::VARCHAR = $class OR wnid = $class OR lower(name) = lower($class))
  AND (kept OR NOT $kept_only)
ORDER BY text_id, char_start
LIMIT $limit;
