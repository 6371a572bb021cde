-- Texts that mention one class but not another, such as answers that name a hen but no rooster.
--
-- `class` and `without` are each a class index, a WordNet id or a class name; only kept
-- mentions count. `role` restricts the texts to one role (gpt, human, caption); % means any.
--
-- @param corpus: str                 an indexed corpus whose classes were counted
-- @param class: str                  the class the texts mention
-- @param without: str                the class they must not mention
-- @param role: str = %               a role, or % for any
-- @param label_set: str = imagenet   the label set given to count-classes
-- @param mode: str = wordnet         the match mode given to count-classes (wordnet, exact)
-- @param limit: int = 50             number of texts to show
WITH hits AS (
    SELECT text_id,
           bool_or(class_index::VARCHAR = $class OR wnid = $class
                   OR lower(name) = lower($class)) AS has_class,
           bool_or(class_index::VARCHAR = $without OR wnid = $without
                   OR lower(name) = lower($without)) AS has_other
    FROM mention_contexts
    WHERE corpus = $corpus AND label_set = $label_set AND mode = $mode AND kept
      AND role LIKE $role
    GROUP BY text_id
)
SELECT r.record_id, t.turn, t.role, t.text
FROM hits h
JOIN texts t ON t.text_id = h.text_id
JOIN records r ON r.record_key = t.record_key
WHERE h.has_class AND NOT h.has_other
ORDER BY h.text_id
LIMIT $limit;
