"""The label set data model shared by the matcher, the scorer and the reports."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class LabelClass:
    """One class of a label set. `index` and `wnid` identify it; `name` is only its display name.

    `synonyms` are further names a text may use (WordNet lemmas, user-given synonyms), without
    the display name itself.
    """

    index: int
    name: str
    wnid: str | None = None
    synonyms: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        """The display name followed by every synonym, without repeats."""
        seen = dict.fromkeys((self.name, *self.synonyms))
        return tuple(seen)


@dataclass(frozen=True, slots=True)
class LabelSet:
    """An ordered list of classes under a name (`imagenet`, `flowers102`, or a user file)."""

    name: str
    classes: tuple[LabelClass, ...]
    source: str = ""
    by_wnid: dict[str, int] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        for position, cls in enumerate(self.classes):
            if cls.index != position:
                raise ValueError(
                    f"label set {self.name}: class {cls.name!r} has index "
                    f"{cls.index} at position {position}"
                )
            if cls.wnid:
                self.by_wnid.setdefault(cls.wnid, cls.index)

    def __len__(self) -> int:
        return len(self.classes)

    def __getitem__(self, index: int) -> LabelClass:
        return self.classes[index]
