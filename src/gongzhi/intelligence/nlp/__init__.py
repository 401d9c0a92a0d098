"""Chinese text classification and urgency rules for case routing — plain Python, no Django imports.

``train(texts, labels) -> Model``; ``Model.predict(texts) -> (labels, confidences)``;
``Model.top_k(text, k=3) -> [(label, confidence, [words])]``; ``Model.save(path)`` /
``load_model(path)``; ``detect_urgency(*texts) -> UrgencyResult``; ``compose(title, details)`` builds
the text a model reads.
"""

from .classifier import (
    FORMAT,
    FORMAT_VERSION,
    Model,
    ModelLoadError,
    TrainConfig,
    TrainingError,
    describe,
    load_model,
    read_header,
    train,
)
from .text import MAX_CHARS, clean_text, compose, compose_fields, is_blank, words
from .urgency import UrgencyMatch, UrgencyResult, detect_urgency

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "MAX_CHARS",
    "Model",
    "ModelLoadError",
    "TrainConfig",
    "TrainingError",
    "UrgencyMatch",
    "UrgencyResult",
    "clean_text",
    "compose",
    "compose_fields",
    "describe",
    "detect_urgency",
    "is_blank",
    "load_model",
    "read_header",
    "train",
    "words",
]
