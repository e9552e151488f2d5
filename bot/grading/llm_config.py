"""The LLM grading stage's settings, importable without the HTTP client."""

from __future__ import annotations

from dataclasses import dataclass

from bot.config import Settings


@dataclass(frozen=True)
class LLMConfig:
    """The GRADER_LLM_* settings."""

    url: str
    model: str
    api_key: str | None = None
    timeout: float = 20.0
    concurrency: int = 4
    daily_limit: int = 500

    @classmethod
    def from_values(
        cls,
        url: str | None,
        model: str | None,
        api_key: str | None = None,
        *,
        timeout: float = 20.0,
        concurrency: int = 4,
        daily_limit: int = 500,
    ) -> LLMConfig | None:
        """The config when both the URL and the model are set, else None (the stage is off)."""
        if not url or not model:
            return None
        return cls(url, model, api_key, timeout, concurrency, daily_limit)


def llm_config(settings: Settings) -> LLMConfig | None:
    """The stage's config from the GRADER_LLM_* settings; None when they are unset."""
    key = settings.grader_llm_api_key
    return LLMConfig.from_values(
        settings.grader_llm_url,
        settings.grader_llm_model,
        key.get_secret_value() if key else None,
        timeout=settings.grader_llm_timeout_seconds,
        concurrency=settings.grader_llm_concurrency,
        daily_limit=settings.grader_llm_daily_limit,
    )
