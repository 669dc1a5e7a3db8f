"""Post-test question types. Add a kind by registering a class; grading asks the registry."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class QuestionType:
    kind: str
    input_type: str  # the HTML control a learner answers with
    instruction: str

    def check_answer(self, chosen: list[str]) -> str | None:
        """Return what is wrong with the shape of an answer, or None."""
        raise NotImplementedError

    def is_correct(self, chosen: set[str], correct: set[str]) -> bool:
        raise NotImplementedError


class SingleChoice(QuestionType):
    def check_answer(self, chosen: list[str]) -> str | None:
        return None if len(chosen) == 1 else "choose exactly one option"

    def is_correct(self, chosen: set[str], correct: set[str]) -> bool:
        return chosen == correct


class MultipleChoice(QuestionType):
    """Select all that apply: graded all-or-nothing."""

    def check_answer(self, chosen: list[str]) -> str | None:
        if not chosen:
            return "choose at least one option"
        if len(set(chosen)) != len(chosen):
            return "an option is chosen twice"
        return None

    def is_correct(self, chosen: set[str], correct: set[str]) -> bool:
        return chosen == correct


QUESTION_TYPES: dict[str, QuestionType] = {
    "single": SingleChoice("single", "radio", "Choose one answer."),
    "multiple": MultipleChoice("multiple", "checkbox", "Select all that apply."),
}
