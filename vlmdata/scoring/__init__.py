"""Per-class accuracy of a model: CLIP zero-shot, VLM answers or likelihoods, API models, or
predictions imported from a file. `score` is the entry point; torch and transformers are
imported only by the functions that run a model."""

from vlmdata.scoring.perclass import per_class_table, summary_of
from vlmdata.scoring.predictions import PredictionReport, per_class_from_predictions
from vlmdata.scoring.runner import score
from vlmdata.scoring.settings import MODES

__all__ = [
    "MODES",
    "PredictionReport",
    "per_class_from_predictions",
    "per_class_table",
    "score",
    "summary_of",
]
