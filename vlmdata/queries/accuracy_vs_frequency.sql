-- Classes whose accuracy and frequency disagree most: frequent but inaccurate, or rare but
-- accurate.
--
-- Each class gets a percentile rank in [0, 1] by frequency (texts of the corpus that mention
-- it) and by the run's accuracy; `gap` is the accuracy rank minus the frequency rank. A large
-- negative gap: the model fails on a class the corpus mentions often; a large positive one:
-- it does well on a class it rarely saw, so exposure is not the whole story.
--
-- @param corpus: str                 an indexed corpus whose classes were counted
-- @param run: str                    an accuracy run in the index (SELECT run_id FROM runs)
-- @param label_set: str = imagenet   the label set of the counts and of the run
-- @param mode: str = wordnet         the match mode given to count-classes (wordnet, exact)
-- @param limit: int = 20             number of classes to show
WITH ranked AS (
    SELECT class_index, wnid, name, texts, accuracy,
           percent_rank() OVER (ORDER BY texts) AS frequency_rank,
           percent_rank() OVER (ORDER BY accuracy) AS accuracy_rank
    FROM counts_with_accuracy
    WHERE corpus = $corpus AND label_set = $label_set AND mode = $mode AND run_id = $run
)
SELECT class_index, wnid, name, texts, accuracy,
       round(frequency_rank, 4) AS frequency_rank, round(accuracy_rank, 4) AS accuracy_rank,
       round(accuracy_rank - frequency_rank, 4) AS gap,
       CASE WHEN accuracy_rank > frequency_rank THEN 'rare but accurate'
            ELSE 'frequent but inaccurate' END AS kind
FROM ranked
ORDER BY abs(accuracy_rank - frequency_rank) DESC, class_index
LIMIT $limit;
