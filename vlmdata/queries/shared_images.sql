-- Images two corpora share: image files named by records of both corpora.
--
-- File names are compared without their folders (`train2017/000000033471.jpg` and
-- `000000033471.jpg` are one image), which is how LLaVA, COCO and most manifests name images.
-- Use it to check that an evaluation set does not overlap a training corpus.
--
-- @param corpus_a: str               an indexed corpus
-- @param corpus_b: str               another indexed corpus
-- @param limit: int = 100            number of images to show
WITH a AS (
    SELECT regexp_extract(img, '[^/\\]+$') AS image_name, count(*) AS records_a,
           min(record_id) AS record_a
    FROM records, unnest(images) AS u(img)
    WHERE corpus = $corpus_a
    GROUP BY image_name
),
b AS (
    SELECT regexp_extract(img, '[^/\\]+$') AS image_name, count(*) AS records_b,
           min(record_id) AS record_b
    FROM records, unnest(images) AS u(img)
    WHERE corpus = $corpus_b
    GROUP BY image_name
)
SELECT image_name, records_a, records_b, record_a, record_b
FROM a JOIN b USING (image_name)
ORDER BY records_a + records_b DESC, image_name
LIMIT $limit;
