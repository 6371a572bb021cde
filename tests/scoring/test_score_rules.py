"""Answer judging, closed-world candidates and prompts."""

from __future__ import annotations

import json

import pytest

from vlmdata.errors import InputError
from vlmdata.labels import load_label_set
from vlmdata.scoring.candidates import candidates
from vlmdata.scoring.judge import AnswerJudge
from vlmdata.scoring.prompts import clip_templates, format_prompt, question_text


@pytest.fixture(scope="module")
def judge():
    return AnswerJudge(load_label_set("imagenet"))


@pytest.mark.parametrize(
    ("answer", "true", "matcher", "substring"),
    [
        ("This is a tench.", 0, True, True),
        ("Tench.", 0, True, True),
        ("It is a Tinca tinca swimming.", 0, True, False),  # a synonym
        ("Two goldfish and a tench.", 0, False, True),  # another class comes first
        ("A tench, not a goldfish.", 1, False, True),
        ("Some great white sharks", 2, True, True),  # a plural
        ("A shark of some kind.", 2, False, False),
        ("", 0, False, False),
    ],
)
def test_both_rules(judge, answer, true, matcher, substring):
    verdict = judge(answer, true)
    assert (verdict.correct, verdict.correct_substring) == (matcher, substring)


def test_only_competing_classes_count_against_an_answer(judge):
    answer = "A goldfish? No: a tench."
    assert not judge(answer, 0).correct
    assert judge(answer, 0, competitors=[0, 2, 3]).correct  # goldfish was not offered
    assert judge(answer, 0, competitors=[0, 2, 3]).first_class == 0


def test_a_reasoned_answer_is_judged_by_its_final_line(judge):
    answer = "The fins suggest a goldfish, but the colour is olive.\nAnswer: tench"
    assert judge(answer, 0).correct and not judge(answer, 1).correct


def test_candidates_are_seeded_per_image_and_hold_the_true_class():
    drawn = candidates(7, 1000, 5, seed=0, key="img1.jpg")
    assert drawn == candidates(7, 1000, 5, seed=0, key="img1.jpg")
    assert 7 in drawn and len(set(drawn)) == 5
    assert all(0 <= i < 1000 for i in drawn)
    others = {tuple(candidates(7, 1000, 5, seed=s, key="img1.jpg")) for s in range(20)}
    assert len(others) == 20
    assert candidates(7, 1000, 5, 0, "img1.jpg", order="fixed") == sorted(drawn)
    assert sorted(candidates(1, 3, 5, 0, "x")) == [0, 1, 2]
    assert candidates(1, 3, None, 0, "x", order="fixed") == [0, 1, 2]
    firsts = {candidates(3, 10, 4, 0, f"img{i}")[0] for i in range(40)}
    assert firsts != {3}  # in random order the true class is not always first


def test_clip_templates(tmp_path):
    assert clip_templates("single", "imagenet") == ("a photo of a {c}.",)
    assert len(clip_templates("ensemble", "imagenet")) == 80
    assert len(clip_templates("ensemble", "stanford_cars")) == 8
    assert clip_templates("ensemble", "mine") == clip_templates("ensemble", "imagenet")
    assert clip_templates("an image of {}", "x") == ("an image of {}",)
    listed = tmp_path / "templates.json"
    listed.write_text(json.dumps(["a {c}", "the {c}"]))
    assert clip_templates(str(listed), "x") == ("a {c}", "the {c}")
    with pytest.raises(InputError, match="has no '\\{c\\}'"):
        clip_templates("a photo", "x")


class ChatProcessor:
    chat_template = "set"

    def apply_chat_template(self, conversation, add_generation_prompt):
        assert add_generation_prompt
        content = conversation[0]["content"]
        return f"<chat>{content[0]['type']}|{content[1]['text']}"


def test_prompts_follow_each_family():
    question = question_text(None, ["tench", "goldfish"])
    assert question == "What type of object is in this photo? Choose one from: tench, goldfish."
    assert format_prompt(object(), "llava", "Q?") == "USER: <image>\nQ? ASSISTANT:"
    assert format_prompt(object(), "blip-2", "Q?") == "Question: Q? Answer:"
    assert format_prompt(ChatProcessor(), "llava_next", "Q?") == "<chat>image|Q?"
    with pytest.raises(InputError, match="no prompt format known for model type 'paligemma'"):
        format_prompt(object(), "paligemma", "Q?")
    assert "Answer: <name>" in question_text("Q?", cot=True)
