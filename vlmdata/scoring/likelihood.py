"""Likelihood scoring: the log-probability of each candidate class name as the answer to the
question about an image; the most probable candidate is the prediction.

Each name's token log-probabilities are summed (`sum`) and averaged over its tokens (`mean`,
which does not favour short names); both are recorded, `reduce` picks the one judged. For LLaVA
models the image and prompt run once per image and their key/value cache is shared by all
candidates, which are scored `chunk` at a time; other models rerun the prompt with each chunk.
"""

from __future__ import annotations

import copy
import inspect
import logging

from vlmdata.labels import LabelSet
from vlmdata.scoring.batches import iter_batches
from vlmdata.scoring.candidates import candidates
from vlmdata.scoring.examples import Example, ExampleSet
from vlmdata.scoring.outputs import PredictionLog
from vlmdata.scoring.prompts import format_prompt, question_text
from vlmdata.scoring.vlm import Vlm, to_device
from vlmdata.scoring.zeroshot import base_record, failed_record

log = logging.getLogger(__name__)

PREFIX_CACHE_TYPES = {"llava", "llava_next"}


def answer_tokens(tokenizer, prompt: str, names: list[str]) -> list[list[int]]:
    """The token ids of each name as it continues `prompt` after a space: the prompt and the
    prompt with the name are tokenized whole and the prompt's tokens taken off, so that the
    name's first token is the one the model would produce there."""
    base = tokenizer(prompt, add_special_tokens=False)["input_ids"]
    tokens, merged = [], 0
    for name in names:
        whole = tokenizer(f"{prompt} {name}", add_special_tokens=False)["input_ids"]
        if whole[: len(base)] == base:
            tokens.append(whole[len(base) :])
        else:  # the name merged with the prompt's last token: tokenize it on its own
            merged += 1
            tokens.append(tokenizer(f" {name}", add_special_tokens=False)["input_ids"])
    if merged:
        log.warning("%d class names merge with the prompt's last token when tokenized", merged)
    return tokens


class SingleImageInputs:
    """Processor inputs for each image of a batch on its own (run in a DataLoader worker)."""

    def __init__(self, processor, prompt: str):
        self.processor, self.prompt = processor, prompt

    def __call__(self, images: list, examples: list[Example]):
        return [self.processor(images=[i], text=[self.prompt], return_tensors="pt") for i in images]


def candidate_logprobs(vlm: Vlm, inputs: dict, tokens: list[list[int]], chunk: int):
    """(sums, lengths): each candidate's summed token log-probability given image and prompt."""
    import torch

    reuse = vlm.model_type in PREFIX_CACHE_TYPES
    first = cache = None
    if reuse:
        out = vlm.model(**inputs, use_cache=True)
        first = out.logits[0, -1].float().log_softmax(-1)  # (V,)
        cache = out.cache if getattr(out, "cache", None) is not None else out.past_key_values
    sums = []
    for start in range(0, len(tokens), chunk):
        ids, mask = _padded(tokens[start : start + chunk], vlm.device)  # (c, L)
        scored = _with_cache(vlm, ids, first, cache) if reuse else _full(vlm, inputs, ids)
        sums.append((scored * mask).sum(dim=1))
    lengths = torch.tensor([len(t) for t in tokens], device=vlm.device)
    return torch.cat(sums), lengths


def _padded(parts: list[list[int]], device: str):
    import torch

    width = max(1, *(len(p) for p in parts))
    ids = torch.zeros((len(parts), width), dtype=torch.long)
    mask = torch.zeros((len(parts), width))
    for row, part in enumerate(parts):
        ids[row, : len(part)] = torch.tensor(part, dtype=torch.long)
        mask[row, : len(part)] = 1.0
    return ids.to(device), mask.to(device)


def _with_cache(vlm: Vlm, ids, first, cache):
    import torch

    count, width = ids.shape
    prefix = cache.get_seq_length()
    past = copy.deepcopy(cache)
    past.batch_repeat_interleave(count)
    attention = torch.ones((count, prefix + width), dtype=torch.long, device=vlm.device)
    # transformers renamed `past_key_values` to `cache` (5.x); pass it under the name taken.
    name = (
        "cache" if "cache" in inspect.signature(vlm.model.forward).parameters else "past_key_values"
    )
    logits = vlm.model(input_ids=ids, attention_mask=attention, **{name: past}).logits
    later = logits[:, :-1].float().log_softmax(-1).gather(-1, ids[:, 1:, None])[..., 0]
    return torch.cat([first[ids[:, :1]], later], dim=1)  # (c, L)


def _full(vlm: Vlm, inputs: dict, ids):
    import torch

    count, width = ids.shape
    batch = {k: _repeat(v, count) for k, v in inputs.items()}
    batch["input_ids"] = torch.cat([batch["input_ids"], ids], dim=1)
    ones = torch.ones_like(ids)
    batch["attention_mask"] = torch.cat([batch["attention_mask"], ones], dim=1)
    if "logits_to_keep" in inspect.signature(vlm.model.forward).parameters:
        batch["logits_to_keep"] = width + 1
    logits = vlm.model(**batch).logits[:, -(width + 1) : -1]  # predicts each candidate token
    return logits.float().log_softmax(-1).gather(-1, ids[..., None])[..., 0]


def _repeat(value, count: int):
    if hasattr(value, "repeat") and value.dim() > 0 and value.shape[0] == 1:
        return value.repeat(count, *([1] * (value.dim() - 1)))
    return value


def score_likelihood(
    vlm: Vlm,
    dataset: ExampleSet,
    label_set: LabelSet,
    predictions: PredictionLog,
    *,
    question: str | None,
    k: int | None,
    seed: int,
    reduce: str,
    chunk: int,
    workers: int,
) -> int:
    """Score every image not yet in `predictions` by candidate likelihood; return the count."""
    import torch

    prompt = format_prompt(vlm.processor, vlm.model_type, question_text(question))
    names = [c.name for c in label_set.classes]
    tokens = answer_tokens(vlm.processor.tokenizer, prompt, names)
    todo = [e for e in dataset.examples if e.key not in predictions.done]
    prepare = SingleImageInputs(vlm.processor, prompt)
    scored = 0
    with torch.inference_mode():
        for batch in iter_batches(todo, dataset.open_image, prepare, 8, workers):
            predictions.append([failed_record(e, why, label_set) for e, why in batch.failed])
            for example, inputs in zip(batch.examples, batch.inputs or [], strict=True):
                offered = candidates(example.class_index, len(label_set), k, seed, example.key)
                sums, lengths = candidate_logprobs(
                    vlm, to_device(inputs, vlm), [tokens[i] for i in offered], chunk
                )
                means = sums / lengths.clamp_min(1)
                record = _record(example, label_set, offered, k, sums, means, reduce)
                predictions.append([record])
                scored += 1
    return scored


def _record(example, label_set, offered, k, sums, means, reduce: str) -> dict:
    best_sum = offered[int(sums.argmax())]
    best_mean = offered[int(means.argmax())]
    chosen = best_mean if reduce == "mean" else best_sum
    return {
        **base_record(example, label_set),
        "choices": None if k is None else [label_set[i].name for i in offered],
        "pred": label_set[chosen].name,
        "pred_index": chosen,
        "pred_index_sum": best_sum,
        "pred_index_mean": best_mean,
        "correct": chosen == example.class_index,
        "correct_sum": best_sum == example.class_index,
        "correct_mean": best_mean == example.class_index,
    }
