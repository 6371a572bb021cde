"""Generative VLMs from transformers (LLaVA-1.5, LLaVA-NeXT, BLIP-2, InstructBLIP): loading,
prompting and answering open-world or closed-world questions about images in batches."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from vlmdata.errors import InputError, require
from vlmdata.labels import LabelSet
from vlmdata.scoring.batches import iter_batches
from vlmdata.scoring.candidates import candidates
from vlmdata.scoring.clip import HF_PREFIX, torch_dtype
from vlmdata.scoring.examples import Example, ExampleSet
from vlmdata.scoring.judge import AnswerJudge
from vlmdata.scoring.outputs import PredictionLog
from vlmdata.scoring.prompts import format_prompt, question_text
from vlmdata.scoring.zeroshot import base_record, failed_record

log = logging.getLogger(__name__)


@dataclass
class Vlm:
    """A loaded VLM with its processor; `model_type` picks the prompt format."""

    name: str
    model: object
    processor: object
    model_type: str
    device: str
    dtype: object


def load_vlm(model: str, device: str, precision: str) -> Vlm:
    """Load `hf:NAME_OR_FOLDER` as an image-text-to-text model onto `device`."""
    if not model.startswith(HF_PREFIX):
        raise InputError(f"{model}: a VLM name starts with 'hf:' (or 'api:' for an endpoint)")
    transformers = require("transformers", "VLM scoring", "hf")
    dtype = torch_dtype(precision)
    spec = model[len(HF_PREFIX) :]
    try:
        processor = transformers.AutoProcessor.from_pretrained(spec)
        net = transformers.AutoModelForImageTextToText.from_pretrained(spec, dtype=dtype)
    except (OSError, ValueError) as exc:
        raise InputError(f"{model}: cannot load the model ({exc})") from exc
    tokenizer = getattr(processor, "tokenizer", None)
    if tokenizer is not None:
        tokenizer.padding_side = "left"  # generation appends on the right of every row
        if tokenizer.pad_token is None:
            tokenizer.pad_token = tokenizer.eos_token
    net = net.to(device).eval()
    return Vlm(model, net, processor, net.config.model_type, device, dtype)


@dataclass
class PromptPlan:
    """What each image is asked: the question, and for closed world its candidate classes."""

    label_set: LabelSet
    question: str | None
    closed: bool
    k: int | None
    order: str
    seed: int
    cot: bool

    def choices(self, example: Example) -> list[int] | None:
        if not self.closed:
            return None
        n = len(self.label_set)
        return candidates(example.class_index, n, self.k, self.seed, example.key, self.order)

    def question_for(self, example: Example) -> str:
        offered = self.choices(example)
        names = None if offered is None else [self.label_set[i].name for i in offered]
        return question_text(self.question, names, self.cot)


class GenerationInputs:
    """Builds a batch's processor inputs (in a DataLoader worker): images and their prompts."""

    def __init__(self, processor, model_type: str, plan: PromptPlan):
        self.processor, self.model_type, self.plan = processor, model_type, plan

    def __call__(self, images: list, examples: list[Example]):
        prompts = [
            format_prompt(self.processor, self.model_type, self.plan.question_for(e))
            for e in examples
        ]
        return self.processor(images=images, text=prompts, padding=True, return_tensors="pt")


def to_device(inputs, vlm: Vlm) -> dict:
    """Processor outputs on the model's device, floating tensors in the model's dtype."""
    moved = {}
    for key, value in inputs.items():
        if hasattr(value, "to"):
            floating = value.is_floating_point()
            value = value.to(vlm.device, vlm.dtype) if floating else value.to(vlm.device)
        moved[key] = value
    return moved


def score_generation(
    vlm: Vlm,
    dataset: ExampleSet,
    predictions: PredictionLog,
    plan: PromptPlan,
    judge: AnswerJudge,
    *,
    batch_size: int,
    workers: int,
    max_new_tokens: int,
) -> int:
    """Ask every image not yet in `predictions` its question, judge and record the answers."""
    import torch

    label_set = plan.label_set
    todo = [e for e in dataset.examples if e.key not in predictions.done]
    prepare = GenerationInputs(vlm.processor, vlm.model_type, plan)
    scored = 0
    with torch.inference_mode():
        for batch in iter_batches(todo, dataset.open_image, prepare, batch_size, workers):
            predictions.append([failed_record(e, why, label_set) for e, why in batch.failed])
            if not batch.examples:
                continue
            answers = _generate(vlm, to_device(batch.inputs, vlm), max_new_tokens)
            records = [
                answer_record(example, answer, plan, judge)
                for example, answer in zip(batch.examples, answers, strict=True)
            ]
            predictions.append(records)
            scored += len(records)
    return scored


def _generate(vlm: Vlm, inputs: dict, max_new_tokens: int) -> list[str]:
    output = vlm.model.generate(**inputs, max_new_tokens=max_new_tokens, do_sample=False)
    prompt = inputs["input_ids"]
    # Decoder-only models return prompt + answer, encoder-decoder ones the answer alone.
    if output.shape[1] > prompt.shape[1] and bool((output[:, : prompt.shape[1]] == prompt).all()):
        output = output[:, prompt.shape[1] :]
    return [a.strip() for a in vlm.processor.batch_decode(output, skip_special_tokens=True)]


def answer_record(example: Example, answer: str, plan: PromptPlan, judge: AnswerJudge) -> dict:
    """The prediction-file line of a generated answer, judged by both rules."""
    offered = plan.choices(example)
    verdict = judge(answer, example.class_index, offered)
    label_set = plan.label_set
    return {
        **base_record(example, label_set),
        "choices": None if offered is None else [label_set[i].name for i in offered],
        "pred": answer,
        "pred_index": verdict.first_class,
        "correct": verdict.correct,
        "correct_substring": verdict.correct_substring,
    }
