"""Sentiment tuned for a support line: complaints read clearly negative, answers neutral."""

from __future__ import annotations

import pytest

from hark.dialogue.sentiment import (
    STRONGLY_NEGATIVE_THRESHOLD,
    UPSET_THRESHOLD,
    SentimentScorer,
    SentimentTrend,
    is_upset,
    strongly_negative,
)


@pytest.fixture(scope="module")
def scorer() -> SentimentScorer:
    return SentimentScorer()


@pytest.mark.parametrize(
    "text",
    [
        "this is ridiculous",
        "this is the third time I'm calling",
        "useless",
        "I'm so frustrated",
        "you are completely useless",
        "i have called you three times already",
        "this is unacceptable, i'm sick of waiting",
    ],
)
def test_complaints_are_strongly_negative(scorer: SentimentScorer, text: str) -> None:
    score = scorer.score(text)
    assert score <= -0.5
    assert strongly_negative(score) and is_upset(score)


@pytest.mark.parametrize("text", ["thanks that's great", "perfect, thank you so much"])
def test_thanks_is_positive(scorer: SentimentScorer, text: str) -> None:
    assert scorer.score(text) >= 0.5


@pytest.mark.parametrize(
    "text", ["no", "cancel that", "sorry what was that", "where is my order", "the cheaper one", ""]
)
def test_plain_answers_are_not_upset(scorer: SentimentScorer, text: str) -> None:
    score = scorer.score(text)
    assert -1.0 <= score <= 1.0
    assert not is_upset(score)


def test_thresholds_are_ordered() -> None:
    assert STRONGLY_NEGATIVE_THRESHOLD < UPSET_THRESHOLD < 0


def test_trend() -> None:
    trend = SentimentTrend.from_list([0.2, 0.0])
    assert trend.strongly_negative_streak() == 0
    trend.add(-0.6)
    trend.add(-0.7)
    assert trend.strongly_negative_streak() == 2
    assert trend.strongly_negative_count() == 2
    assert trend.direction() == "worsening"
    assert trend.describe().startswith("upset, worsening")
    assert trend.to_list() == [0.2, 0.0, -0.6, -0.7]
    assert SentimentTrend().direction() == "steady"
    assert SentimentTrend().last == 0.0


@pytest.mark.parametrize("text", ["no thanks", "No, thank you.", "nope, I'm good thanks"])
def test_polite_refusal_is_not_upset(scorer: SentimentScorer, text: str) -> None:
    assert scorer.score(text) > 0.0
