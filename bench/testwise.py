"""How often would a learner who knows nothing pass each shipped post-test?

Run from the repository root:

    python bench/testwise.py                  # every course under courses/
    python bench/testwise.py --learners 8000 --root path/to/courses

Two test-wise learners take each course's post-test through the application's own draw and
grading (ce_platform.learning.simulation), for as many attempts as the course allows: one
always picks the longest option, one guesses at random. It prints the estimated pass rate and
its 99 % interval per course and learner, and exits 1 when a rate is above 5 %. The same
check runs in the test suite (tests/learning/test_testwise.py). No database is needed.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from ce_platform.catalog import services as catalog  # noqa: E402
from ce_platform.content.quiz import parse_quiz  # noqa: E402
from ce_platform.content.sourcefile import read_markdown  # noqa: E402
from ce_platform.learning.simulation import (  # noqa: E402
    STRATEGIES,
    TARGET,
    QuizRules,
    pass_rate,
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=REPO / "courses")
    parser.add_argument("--learners", type=int, default=2000, help="first batch per estimate")
    args = parser.parse_args()

    print(f"{'course':36} {'learner':8} {'pass rate':>9}  {'99 % interval':>15} {'learners':>8}")
    failed = False
    for folder in sorted(p for p in args.root.iterdir() if (p / "quiz.md").is_file()):
        diags: list = []
        text = (folder / "quiz.md").read_text(encoding="utf-8")
        source = read_markdown(text, "quiz.md", diags, front_matter_required=False)
        quiz = parse_quiz(source, diags).quiz
        rules = QuizRules(
            quiz.passing_score, quiz.max_attempts, quiz.questions_per_attempt, quiz.shuffle
        )
        for strategy in STRATEGIES:
            started = time.perf_counter()
            rate = pass_rate(catalog.build_questions(quiz), rules, strategy, learners=args.learners)
            low, high = rate.interval
            over = rate.estimate > TARGET
            failed |= over
            print(
                f"{folder.name:36} {strategy:8} {rate.estimate:9.2%}  "
                f"{low:6.2%} - {high:6.2%} {rate.learners:8}"
                f"{'  ABOVE 5 %' if over else ''}  ({time.perf_counter() - started:.1f} s)"
            )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
