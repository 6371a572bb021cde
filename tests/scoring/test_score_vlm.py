"""VLM scoring (open world, closed world, likelihood) with a tiny random LLaVA saved to disk."""

from __future__ import annotations

import json

import pytest

from vlmdata.labels import load_label_set
from vlmdata.scoring import score, summary_of
from vlmdata.scoring.judge import AnswerJudge
from vlmdata.scoring.prompts import OPEN_QUESTION

pytestmark = pytest.mark.torch
torch = pytest.importorskip("torch")

PROMPT = f"USER: <image>\n{OPEN_QUESTION} ASSISTANT:"


def read_jsonl(path):
    return [json.loads(line) for line in path.read_text().splitlines()]


def load(folder):
    from transformers import AutoProcessor, LlavaForConditionalGeneration

    processor = AutoProcessor.from_pretrained(folder)
    return processor, LlavaForConditionalGeneration.from_pretrained(folder).eval()


def image_of(manifest, record):
    from PIL import Image

    return Image.open(manifest.parent / record["image"]).convert("RGB")


def test_open_world_answers_are_the_models_greedy_answers(tiny_llava, image_manifest, tmp_path):
    output = tmp_path / "open.jsonl"
    table = score(
        f"hf:{tiny_llava}",
        str(image_manifest),
        "imagenet",
        mode="open",
        batch_size=4,
        max_new_tokens=6,
        output=output,
        save=False,
    )

    processor, model = load(tiny_llava)
    judge = AnswerJudge(load_label_set("imagenet"))
    records = read_jsonl(output)
    assert len(records) == 9
    for record in records:
        inputs = processor(
            images=[image_of(image_manifest, record)], text=[PROMPT], return_tensors="pt"
        )
        with torch.no_grad():
            out = model.generate(**inputs, max_new_tokens=6, do_sample=False)
        answer = processor.decode(out[0, inputs["input_ids"].shape[1] :], skip_special_tokens=True)
        assert record["pred"] == answer.strip()
        verdict = judge(record["pred"], record["class_index"])
        assert record["correct"] == verdict.correct
        assert record["correct_substring"] == verdict.correct_substring
        assert record["choices"] is None
    assert set(table.column_names) >= {"accuracy", "accuracy_substring"}
    assert sum(table["n"].to_pylist()) == 9


def test_closed_world_offers_k_seeded_candidates(tiny_llava, image_manifest, tmp_path):
    imagenet = load_label_set("imagenet")
    runs = {}
    for name, seed in (("a", 1), ("b", 1), ("c", 2)):
        output = tmp_path / f"{name}.jsonl"
        score(
            f"hf:{tiny_llava}",
            str(image_manifest),
            "imagenet",
            mode="closed",
            k=5,
            seed=seed,
            max_new_tokens=2,
            output=output,
            save=False,
        )
        runs[name] = {r["key"]: r["choices"] for r in read_jsonl(output)}
    for key, choices in runs["a"].items():
        assert len(choices) == len(set(choices)) == 5
        true = next(r for r in read_jsonl(tmp_path / "a.jsonl") if r["key"] == key)
        assert imagenet[true["class_index"]].name in choices
    assert runs["a"] == runs["b"]
    assert runs["a"] != runs["c"]


def reference_logprob(processor, model, image, tokens: list[int]) -> float:
    """Sum of the candidate's token log-probabilities, one plain forward pass of the full text."""
    inputs = processor(images=[image], text=[PROMPT], return_tensors="pt")
    ids = torch.cat([inputs["input_ids"], torch.tensor([tokens])], dim=1)
    with torch.no_grad():
        logits = model(input_ids=ids, pixel_values=inputs["pixel_values"]).logits[0]
    logprobs = logits.log_softmax(-1)
    start = inputs["input_ids"].shape[1]
    return sum(logprobs[start - 1 + j, t].item() for j, t in enumerate(tokens))


def test_likelihood_picks_the_most_probable_candidate(tiny_llava, image_manifest, tmp_path):
    from vlmdata.scoring.likelihood import answer_tokens

    output = tmp_path / "lik.jsonl"
    score(
        f"hf:{tiny_llava}",
        str(image_manifest),
        "imagenet",
        mode="likelihood",
        k=4,
        batch_size=3,
        output=output,
        save=False,
    )

    processor, model = load(tiny_llava)
    imagenet = load_label_set("imagenet")
    for record in read_jsonl(output)[:4]:
        offered = [
            imagenet.classes.index(next(c for c in imagenet.classes if c.name == n))
            for n in record["choices"]
        ]
        tokens = answer_tokens(processor.tokenizer, PROMPT, [imagenet[i].name for i in offered])
        image = image_of(image_manifest, record)
        sums = [reference_logprob(processor, model, image, t) for t in tokens]
        means = [s / len(t) for s, t in zip(sums, tokens, strict=True)]
        assert record["pred_index_sum"] == offered[max(range(4), key=sums.__getitem__)]
        assert record["pred_index_mean"] == offered[max(range(4), key=means.__getitem__)]
        assert record["pred_index"] == record["pred_index_mean"]


def test_shared_prefix_cache_gives_the_full_pass_log_probabilities(tiny_llava, image_manifest):
    from vlmdata.scoring import likelihood
    from vlmdata.scoring.vlm import load_vlm, to_device

    vlm = load_vlm(f"hf:{tiny_llava}", "cpu", "fp32")
    record = read_jsonl(image_manifest)[0]
    inputs = to_device(
        vlm.processor(
            images=[image_of(image_manifest, record)], text=[PROMPT], return_tensors="pt"
        ),
        vlm,
    )
    names = [c.name for c in load_label_set("imagenet").classes[:40]]
    tokens = likelihood.answer_tokens(vlm.processor.tokenizer, PROMPT, names)
    with torch.no_grad():
        cached, lengths = likelihood.candidate_logprobs(vlm, inputs, tokens, chunk=16)
        vlm.model_type = "no-cache"  # any family outside PREFIX_CACHE_TYPES takes the full pass
        full, _ = likelihood.candidate_logprobs(vlm, inputs, tokens, chunk=7)
    assert lengths.tolist() == [len(t) for t in tokens]
    assert torch.allclose(cached, full, atol=1e-4)
    assert len(set(cached.tolist())) > 30  # the candidates really differ


def test_a_likelihood_run_is_stored_with_both_reductions(
    tiny_llava, image_manifest, index_file, tmp_path
):
    from vlmdata.store import connect
    from vlmdata.store.results import load_run

    table = score(
        f"hf:{tiny_llava}",
        str(image_manifest),
        "imagenet",
        mode="likelihood",
        k=3,
        reduce="sum",
        output=tmp_path / "s.jsonl",
    )
    run_id = summary_of(table)["run_id"]
    con = connect(index_file)
    try:
        runs = dict(con.execute("SELECT run_id, method FROM runs").fetchall())
        main = load_run(con, run_id).to_pylist()
    finally:
        con.close()
    assert runs == {run_id: "likelihood", f"{run_id}.mean": "likelihood:mean"}
    assert [r["accuracy"] for r in main] == table["accuracy"].to_pylist()
    assert table["correct"].to_pylist() == table["correct_sum"].to_pylist()
