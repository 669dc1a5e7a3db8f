"""quiz.md: `## id` questions, task-list options, `>` feedback and explanations."""

from __future__ import annotations

import math
import re
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field

from .diagnostics import Diagnostic, diag
from .model import REVEAL_POLICIES, OptionSource, QuestionSource, QuizSource
from .render import render_inline, render_markdown
from .sourcefile import MarkdownFile

QUIZ_KEYS = ("passing_score", "max_attempts", "questions_per_attempt", "shuffle", "reveal")
DEFAULT_PASSING_SCORE = 75
DEFAULT_MAX_ATTEMPTS = 3
DEFAULT_SHUFFLE = True
DEFAULT_REVEAL = "after_pass"
MAX_ID_LENGTH = 100

_HEADING = re.compile(r"^##(?!#)(.*)$")
_H1 = re.compile(r"^#(?!#)")
_OPTION = re.compile(r"^[-*+][ \t]+\[([ xX])\](?:[ \t]+(.*))?$")
_QUOTE = re.compile(r"^[ \t]{0,3}>")
_FENCE = re.compile(r"^[ \t]{0,3}(`{3,}|~{3,})")
_QUESTION_ID = re.compile(r"^[a-z0-9-]+$")
_OBJECTIVES_KEY = re.compile(r"^objectives[ \t]*:(.*)$", re.IGNORECASE)
_OBJECTIVES_VALUE = re.compile(r"^[0-9]+(?:[ \t]*,[ \t]*[0-9]+)*$")

# Answer-cue thresholds (COURSE_FORMAT.md, "Assessment integrity").
KEY_LENGTH_RATIO = 1.5  # Q017: keyed option longer than this times the distractors' mean
LONGEST_KEY_SHARE = 0.40  # Q018: key uniquely longest in more of the single-answer items
MIN_POOL_RATIO = 1.5  # Q021: pool at least this times questions_per_attempt (2 is better)
MIN_OPTIONS = 3  # Q022: items with fewer options ...
FEW_OPTIONS_SHARE = 0.10  # ... may be at most this share of the pool
STEM_ECHO_WORDS = 3  # Q020: a run of this many content words shared by prompt and key
_ABOVE = re.compile(r"\b(?:all|none)\s+of\s+the\s+above\b", re.IGNORECASE)
_WORD = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?")
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MARKUP = re.compile(r"[*_`~]|<[^>]+>")
STOP_WORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers him his how i if in into is it its itself just
    may me might more most must my no nor not now of off on once only or other our ours out over
    own same shall she should so some such than that the their theirs them then there these they
    this those through to too under until up very was we were what when where which while who
    whom why will with would you your yours""".split()
)


@dataclass
class _Option:
    """An option while its lines are being collected."""

    line: int
    correct: bool
    text_lines: list[str]
    feedback_lines: list[str] = field(default_factory=list)


@dataclass
class _Question:
    """A question while its lines are being collected."""

    id: str
    line: int
    prompt_lines: list[str] = field(default_factory=list)
    options: list[_Option] = field(default_factory=list)
    explanation_lines: list[str] = field(default_factory=list)


@dataclass
class ParsedQuiz:
    """The quiz plus what course-level checks need (where settings and questions are)."""

    quiz: QuizSource
    questions_per_attempt_line: int


def option_id(index: int) -> str:
    """Name options a, b, ... z, aa, ab ... in file order."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("a") + remainder) + letters
    return letters


def _dequote(line: str) -> str:
    """Strip one blockquote marker and the single space after it."""
    stripped = line.lstrip(" \t")
    stripped = stripped[1:] if stripped.startswith(">") else stripped
    return stripped[1:] if stripped.startswith(" ") else stripped


def _fence_step(line: str, fence: str | None) -> str | None:
    """Advance fenced-code state so headings and options inside code are left alone."""
    match = _FENCE.match(line)
    if fence is None:
        return match.group(1) if match else None
    if match and match.group(1)[0] == fence[0] and len(match.group(1)) >= len(fence):
        return None
    return fence


def _join(lines: list[str]) -> str:
    """Join lines, dropping blank lines at both ends."""
    return "\n".join(lines).strip("\n")


def _split_questions(
    body: str, first_line: int, path: str, diags: list[Diagnostic]
) -> list[tuple[str, int, list[tuple[int, str]]]]:
    """Cut the body at `## ` headings (outside code), warning about text before the first."""
    sections: list[tuple[str, int, list[tuple[int, str]]]] = []
    fence: str | None = None
    preamble_warned = False
    for offset, line in enumerate(body.split("\n")):
        line_no = first_line + offset
        heading = _HEADING.match(line) if fence is None else None
        if heading is not None:
            question_id = heading.group(1).strip().rstrip("#").strip()
            sections.append((question_id, line_no, []))
            continue
        fence = _fence_step(line, fence)
        if sections:
            sections[-1][2].append((line_no, line))
        elif line.strip() and not _H1.match(line) and not preamble_warned:
            diags.append(
                diag(path, line_no, "Q013", "text before the first question (## id) is ignored")
            )
            preamble_warned = True
    return sections


def _parse_section(
    question_id: str, line: int, lines: list[tuple[int, str]], path: str, diags: list[Diagnostic]
) -> _Question:
    """Split one question's lines into prompt, options (with feedback) and explanation."""
    question = _Question(question_id, line)
    state = "prompt"
    fence: str | None = None
    previous_blank = False
    for line_no, text in lines:
        blank = not text.strip()
        if state == "prompt":
            option = _OPTION.match(text) if fence is None else None
            if option is None:
                fence = _fence_step(text, fence)
                question.prompt_lines.append(text)
            else:
                state = "options"
                question.options.append(
                    _Option(line_no, option.group(1) in "xX", [option.group(2) or ""])
                )
        elif state == "options":
            option = _OPTION.match(text)
            current = question.options[-1]
            if option is not None:
                question.options.append(
                    _Option(line_no, option.group(1) in "xX", [option.group(2) or ""])
                )
            elif blank:
                (current.feedback_lines if current.feedback_lines else current.text_lines).append(
                    ""
                )
            elif text[0] in " \t":
                if text.lstrip().startswith(">"):
                    current.feedback_lines.append(_dequote(text))
                elif current.feedback_lines:
                    current.feedback_lines.append(text.strip())
                else:
                    current.text_lines.append(text)
            elif _QUOTE.match(text):
                state = "explanation"
                question.explanation_lines.append(_dequote(text))
            else:
                diags.append(_unexpected(path, line_no, question_id))
                state = "ignored"
        elif state == "explanation":
            if _QUOTE.match(text):
                question.explanation_lines.append(_dequote(text))
            elif blank:
                question.explanation_lines.append("")
            elif not previous_blank:
                question.explanation_lines.append(text)  # lazy continuation of the quote
            else:
                diags.append(_unexpected(path, line_no, question_id))
                state = "ignored"
        previous_blank = blank
    return question


def _unexpected(path: str, line: int, question_id: str) -> Diagnostic:
    """Build the Q008 for stray text after a question's options."""
    return diag(
        path,
        line,
        "Q008",
        f'unexpected content after the options of question "{question_id}" '
        "(only a > explanation may follow the options)",
    )


def _option_text(option: _Option) -> str:
    """The option's Markdown: first line plus dedented continuation lines."""
    first, *rest = option.text_lines
    continuation = textwrap.dedent("\n".join(rest)) if rest else ""
    return _join([first.strip(), *continuation.split("\n")]) if rest else first.strip()


def _is_true_false(option_texts: list[str]) -> bool:
    """Two options reading True and False (any case, trailing period allowed)."""
    if len(option_texts) != 2:
        return False
    return {text.strip().rstrip(".").strip().lower() for text in option_texts} == {"true", "false"}


def _take_objectives(
    question_id: str, line: int, lines: list[tuple[int, str]], path: str, diags: list[Diagnostic]
) -> tuple[list[int], int, list[tuple[int, str]]]:
    """Read the `objectives: 1, 3` line that must open a question; (numbers, line, rest)."""
    for index, (line_no, text) in enumerate(lines):
        if not text.strip():
            continue
        match = _OBJECTIVES_KEY.match(text.strip())
        if match is None:
            break
        rest = lines[:index] + lines[index + 1 :]
        value = match.group(1).strip()
        numbers = [int(n) for n in value.split(",")] if _OBJECTIVES_VALUE.match(value) else []
        if not numbers or min(numbers) < 1:
            diags.append(
                diag(
                    path,
                    line_no,
                    "Q015",
                    f'question "{question_id}": the objectives line must list the 1-based '
                    f'numbers of course objectives, e.g. "objectives: 1, 3", not "{value[:60]}"',
                )
            )
            return [], line_no, rest
        return list(dict.fromkeys(numbers)), line_no, rest
    diags.append(
        diag(
            path,
            line,
            "Q014",
            f'question "{question_id}" does not say which objectives it measures: its first '
            'line must read like "objectives: 1, 3" (numbers of the course.md objectives)',
        )
    )
    return [], 0, lines


def plain_text(markdown: str) -> str:
    """The words a learner reads in an option: link text kept, markup dropped, spaces folded."""
    text = _LINK.sub(r"\1", markdown)
    text = _MARKUP.sub("", text)
    return " ".join(text.split())


def content_words(text: str) -> list[str]:
    """Lower-cased words of a text without stop words, in order."""
    return [w for w in _WORD.findall(plain_text(text).lower()) if w not in STOP_WORDS]


def shared_run(prompt: str, option: str, size: int = STEM_ECHO_WORDS) -> str | None:
    """The first run of `size` consecutive content words the option repeats from the prompt."""
    prompt_words = content_words(prompt)
    runs = {tuple(prompt_words[i : i + size]) for i in range(len(prompt_words) - size + 1)}
    option_words = content_words(option)
    for i in range(len(option_words) - size + 1):
        run = tuple(option_words[i : i + size])
        if run in runs:
            return " ".join(run)
    return None


def check_answer_cues(questions: list[QuestionSource], path: str, diags: list[Diagnostic]) -> None:
    """Report what lets a test-wise learner pass without the knowledge (Q017-Q020, Q022)."""
    single = [
        q for q in questions if len(q.options) >= 2 and sum(o.correct for o in q.options) == 1
    ]
    longest_key: list[QuestionSource] = []
    for question in single:
        lengths = [len(plain_text(option.text)) for option in question.options]
        key_index = next(i for i, option in enumerate(question.options) if option.correct)
        key_length = lengths[key_index]
        others = lengths[:key_index] + lengths[key_index + 1 :]
        mean = sum(others) / len(others)
        if key_length > KEY_LENGTH_RATIO * mean:
            diags.append(
                diag(
                    path,
                    question.options[key_index].line,
                    "Q017",
                    f'question "{question.id}": the correct option has {key_length} characters, '
                    f"more than {KEY_LENGTH_RATIO} times the distractors' mean of {mean:.0f}; "
                    "make the options alike in length",
                )
            )
        if key_length > max(others):
            longest_key.append(question)
    if single and len(longest_key) > LONGEST_KEY_SHARE * len(single):
        diags.append(
            diag(
                path,
                longest_key[0].line,
                "Q018",
                f"the correct option is the uniquely longest in {len(longest_key)} of "
                f"{len(single)} single-answer questions "
                f"({100 * len(longest_key) / len(single):.0f} %); at most "
                f"{100 * LONGEST_KEY_SHARE:.0f} % is allowed (chance is about 25 % with four "
                "options), so a learner who always picks the longest option would pass; "
                "questions: " + ", ".join(q.id for q in longest_key[:10]),
            )
        )
    for question in questions:
        for option in question.options:
            above = _ABOVE.search(plain_text(option.text))
            if above is not None:
                diags.append(
                    diag(
                        path,
                        option.line,
                        "Q019",
                        f'question "{question.id}": avoid "{above.group(0)}"; it can be answered '
                        "by spotting two right (or one wrong) options",
                    )
                )
            echo = shared_run(question.prompt, option.text) if option.correct else None
            if echo is not None:
                diags.append(
                    diag(
                        path,
                        option.line,
                        "Q020",
                        f'question "{question.id}": the correct option repeats the prompt\'s '
                        f'wording ("{echo}"); a learner can match words instead of knowing',
                    )
                )
    few = [q for q in questions if len(q.options) < MIN_OPTIONS]
    allowed = math.floor(FEW_OPTIONS_SHARE * len(questions))
    if len(few) > allowed:
        true_false = sum(1 for q in few if _is_true_false([o.text for o in q.options]))
        diags.append(
            diag(
                path,
                few[allowed].line,
                "Q022",
                f"{len(few)} of {len(questions)} questions have fewer than {MIN_OPTIONS} options "
                f"({true_false} true/false); at most {allowed} "
                f"({100 * FEW_OPTIONS_SHARE:.0f} % of the pool) may, since two options are "
                "guessed right half the time",
            )
        )


def parse_quiz(
    source: MarkdownFile,
    diags: list[Diagnostic],
    *,
    media_prefix: str | None = None,
    render_guard: Callable[[Callable[[], str], int], str] | None = None,
) -> ParsedQuiz:
    """Validate quiz.md into diags; return the quiz even with errors so later checks can run."""
    path = source.path
    guard = render_guard or (lambda render, _line: render())

    passing_score = DEFAULT_PASSING_SCORE
    max_attempts = DEFAULT_MAX_ATTEMPTS
    shuffle = DEFAULT_SHUFFLE
    reveal = DEFAULT_REVEAL
    declared_per_attempt: int | None = None
    per_attempt_line = 1
    settings = source.front_matter
    if settings is not None:
        settings.check_keys(QUIZ_KEYS)
        if settings.has("passing_score"):
            passing_score = settings.integer("passing_score", minimum=1, maximum=100) or (
                DEFAULT_PASSING_SCORE
            )
        if settings.has("max_attempts"):
            value = settings.integer("max_attempts", minimum=0)
            max_attempts = DEFAULT_MAX_ATTEMPTS if value is None else value
        if settings.has("questions_per_attempt"):
            declared_per_attempt = settings.integer("questions_per_attempt", minimum=1)
            per_attempt_line = settings.line_of("questions_per_attempt")
        if settings.has("shuffle"):
            value_bool = settings.boolean("shuffle")
            shuffle = DEFAULT_SHUFFLE if value_bool is None else value_bool
        if settings.has("reveal"):
            reveal = settings.choice("reveal", REVEAL_POLICIES) or DEFAULT_REVEAL

    questions: list[QuestionSource] = []
    seen_ids: dict[str, int] = {}
    for question_id, line, lines in _split_questions(
        source.body, source.body_first_line, path, diags
    ):
        shown_id = question_id if len(question_id) <= 60 else question_id[:57] + "..."
        objectives, objectives_line, lines = _take_objectives(shown_id, line, lines, path, diags)
        question = _parse_section(question_id, line, lines, path, diags)
        if not _QUESTION_ID.match(question_id) or len(question_id) > MAX_ID_LENGTH:
            diags.append(
                diag(
                    path,
                    line,
                    "Q005",
                    f'question id "{shown_id}" must be a slug (lower-case letters, digits, "-"; '
                    f"at most {MAX_ID_LENGTH} characters)",
                )
            )
        elif question_id in seen_ids:
            diags.append(
                diag(
                    path,
                    line,
                    "Q004",
                    f'duplicate question id "{question_id}" '
                    f"(first on line {seen_ids[question_id]})",
                )
            )
        else:
            seen_ids[question_id] = line
        prompt = _join(question.prompt_lines)
        if not prompt.strip():
            diags.append(diag(path, line, "Q006", f'question "{shown_id}" has no prompt'))
        if len(question.options) < 2:
            diags.append(
                diag(
                    path,
                    line,
                    "Q002",
                    f'question "{shown_id}" has {len(question.options)} option(s); '
                    "it needs at least 2 (- [ ] / - [x] lines)",
                )
            )
        correct_count = sum(1 for option in question.options if option.correct)
        if question.options and correct_count == 0:
            diags.append(diag(path, line, "Q003", f'question "{shown_id}" has no correct option'))
        option_texts: list[str] = []
        options: list[OptionSource] = []
        for index, option in enumerate(question.options):
            text = _option_text(option)
            option_texts.append(text)
            if not text.strip():
                diags.append(
                    diag(path, option.line, "Q007", f'an option of question "{shown_id}" is empty')
                )
            feedback = _join(option.feedback_lines)
            options.append(
                OptionSource(
                    id=option_id(index),
                    line=option.line,
                    html=guard(
                        lambda t=text: render_inline(t, media_prefix=media_prefix), option.line
                    ),
                    correct=option.correct,
                    feedback_html=guard(
                        lambda f=feedback: render_markdown(f, media_prefix=media_prefix).html,
                        option.line,
                    )
                    if feedback.strip()
                    else "",
                    text=text,
                )
            )
        explanation = _join(question.explanation_lines)
        questions.append(
            QuestionSource(
                id=question_id,
                line=line,
                kind="multiple" if correct_count > 1 else "single",
                prompt_html=guard(
                    lambda p=prompt: render_markdown(p, media_prefix=media_prefix).html, line
                ),
                options=options,
                explanation_html=guard(
                    lambda e=explanation: render_markdown(e, media_prefix=media_prefix).html, line
                )
                if explanation.strip()
                else "",
                objectives=objectives,
                objectives_line=objectives_line,
                prompt=prompt,
            )
        )

    if not questions:
        diags.append(diag(path, 1, "Q009", "the quiz has no questions (## id headings)"))
    elif declared_per_attempt is not None and declared_per_attempt > len(questions):
        diags.append(
            diag(
                path,
                per_attempt_line,
                "Q010",
                f"questions_per_attempt is {declared_per_attempt} but the pool has only "
                f"{len(questions)} question(s)",
            )
        )
    per_attempt = declared_per_attempt if declared_per_attempt is not None else len(questions)
    unknown_draw = (source.has_front_matter and settings is None) or (
        settings is not None
        and settings.has("questions_per_attempt")
        and declared_per_attempt is None
    )  # F004/F008/F010 already name the settings; the draw size is not known
    if (
        questions
        and not unknown_draw
        and per_attempt <= len(questions) < MIN_POOL_RATIO * per_attempt
    ):
        diags.append(
            diag(
                path,
                per_attempt_line,
                "Q021",
                f"the pool has {len(questions)} question(s) for {per_attempt} per attempt; it "
                f"needs at least {math.ceil(MIN_POOL_RATIO * per_attempt)} ({MIN_POOL_RATIO} "
                f"times questions_per_attempt) so retakes see new items; twice "
                f"({2 * per_attempt}) is better",
            )
        )
    check_answer_cues(questions, path, diags)
    quiz = QuizSource(
        passing_score=passing_score,
        max_attempts=max_attempts,
        questions_per_attempt=per_attempt,
        shuffle=shuffle,
        reveal=reveal,
        questions=questions,
    )
    return ParsedQuiz(quiz, per_attempt_line)
