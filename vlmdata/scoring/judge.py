"""Judging a generated answer against the true class, by two rules reported side by side.

- `substring`, the paper's rule: the class's display name occurs in the answer (any case).
- `matcher`, the stricter one: the answer mentions the true class (by any synonym or inflection
  the matcher knows) and no other competing class is mentioned before it. "A dog, maybe a
  wolf" is right for dog and wrong for wolf; "not a cat but a dog" is wrong for dog.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from vlmdata.labels import LabelSet
from vlmdata.scoring.prompts import final_answer


@dataclass(frozen=True, slots=True)
class Verdict:
    """Both rules' verdicts on one answer, and the class the answer names first (or None)."""

    correct: bool
    correct_substring: bool
    first_class: int | None


class AnswerJudge:
    """Judges answers for one label set; the matcher is built once, on first use."""

    def __init__(self, label_set: LabelSet, match: str = "wordnet", matcher=None):
        self.label_set = label_set
        self.match = match
        self._matcher = matcher

    @property
    def matcher(self):
        if self._matcher is None:
            from vlmdata.matching import Matcher

            self._matcher = Matcher.from_label_set(self.label_set, match=self.match)
        return self._matcher

    def __call__(
        self, answer: str, true_index: int, competitors: Collection[int] | None = None
    ) -> Verdict:
        """Judge `answer` for an image of class `true_index`. `competitors` limits the classes
        that count against it (a closed-world prompt's candidates); None means all classes.
        Only the text after a final 'Answer:' is judged when the answer has one."""
        text = final_answer(answer)
        name = self.label_set[true_index].name.lower()
        substring = bool(name) and name in text.lower()
        first = self.first_class(text, competitors, true_index)
        return Verdict(first == true_index, substring, first)

    def first_class(
        self, text: str, competitors: Collection[int] | None = None, true_index: int | None = None
    ) -> int | None:
        """The class mentioned first in `text` among the competitors (and the true class); on
        a tie at the same position the true class wins, as nothing comes before it."""
        allowed = None if competitors is None else {*competitors, true_index}
        best: tuple[int, int, int] | None = None
        for mention in self.matcher.find(text):
            index = mention.class_index
            if not mention.kept or (allowed is not None and index not in allowed):
                continue
            rank = (mention.start, 0 if index == true_index else 1, index)
            if best is None or rank < best:
                best = rank
        return None if best is None else best[2]
