"""Label sets: the classes a model is asked to tell apart, keyed by index and WordNet id."""

from vlmdata.labels.loading import BUILTIN, load_label_set
from vlmdata.labels.model import LabelClass, LabelSet
from vlmdata.labels.resolve import resolve_name

__all__ = ["BUILTIN", "LabelClass", "LabelSet", "load_label_set", "resolve_name"]
