"""Prompts: CLIP text templates, and the questions a VLM is asked in each model family's format."""

from __future__ import annotations

import json
from pathlib import Path

from vlmdata.errors import InputError
from vlmdata.scoring.templates import TEMPLATES

SINGLE_TEMPLATE = "a photo of a {c}."
OPEN_QUESTION = "What type of object is in this photo?"
CLOSED_SUFFIX = "Choose one from: {choices}."
COT_SUFFIX = (
    "Think step by step about what you see, then give your final answer on the last line "
    "as 'Answer: <name>'."
)

# Used when a processor brings no chat template of its own (real checkpoints usually do).
FAMILY_FORMATS = {
    "llava": "USER: <image>\n{question} ASSISTANT:",
    "llava_next": "[INST] <image>\n{question} [/INST]",
    "blip-2": "Question: {question} Answer:",
    "instructblip": "{question}",
}


def clip_templates(prompts: str, label_set_name: str) -> tuple[str, ...]:
    """The templates for `prompts`: `single` ("a photo of a {c}."), `ensemble` (the label set's
    template list, ImageNet's 80 for label sets without one), a JSON file holding a list of
    templates, or one template given inline (it must contain `{c}` or `{}`)."""
    if prompts == "single":
        return (SINGLE_TEMPLATE,)
    if prompts == "ensemble":
        return TEMPLATES.get(label_set_name, TEMPLATES["imagenet"])
    path = Path(prompts)
    if path.suffix == ".json" and path.is_file():
        try:
            data = json.loads(path.read_text("utf-8"))
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}: not valid JSON ({exc})") from exc
        if not (isinstance(data, list) and data and all(isinstance(t, str) for t in data)):
            raise InputError(f"{path}: expected a JSON list of prompt templates")
        templates = tuple(data)
    else:
        templates = (prompts,)
    bad = [t for t in templates if "{c}" not in t and "{}" not in t]
    if bad:
        raise InputError(
            f"prompt template {bad[0]!r} has no '{{c}}' where the class name goes; "
            "use --prompts single, ensemble, a template with {c}, or a JSON file of templates"
        )
    return templates


def fill(template: str, name: str) -> str:
    """A template with the class name put in (either `{c}` or `{}` marks its place)."""
    return template.replace("{c}", name).replace("{}", name)


def question_text(question: str | None, choices: list[str] | None = None, cot: bool = False) -> str:
    """The question asked of a VLM: open world, or closed world with the candidate names listed,
    optionally asking for step-by-step reasoning before the answer."""
    text = question or OPEN_QUESTION
    if choices:
        text = f"{text} {CLOSED_SUFFIX.format(choices=', '.join(choices))}"
    if cot:
        text = f"{text} {COT_SUFFIX}"
    return text


def format_prompt(processor, model_type: str, question: str) -> str:
    """The full text prompt of one image and one question in the model's own format: the
    processor's chat template when it has one, else the family's usual format."""
    if getattr(processor, "chat_template", None):
        conversation = [
            {"role": "user", "content": [{"type": "image"}, {"type": "text", "text": question}]}
        ]
        return processor.apply_chat_template(conversation, add_generation_prompt=True)
    template = FAMILY_FORMATS.get(model_type)
    if template is None:
        known = ", ".join(sorted(FAMILY_FORMATS))
        raise InputError(
            f"no prompt format known for model type {model_type!r} and its processor has no "
            f"chat template; supported families: {known}"
        )
    return template.format(question=question)


def final_answer(answer: str) -> str:
    """The part of a step-by-step answer after its last 'Answer:' (all of it when none)."""
    position = answer.lower().rfind("answer:")
    return answer if position < 0 else answer[position + len("answer:") :].strip()
