"""Diagnostics: every problem found in course content, reported with file, line and a stable code.

Validation never stops at the first problem and never raises on bad content; it returns a list of
`Diagnostic`. Errors block sync/publish, warnings do not. Codes are stable: tests, the authoring
pages and the CLI may match on them.

Lines are 1-based and point at the offending front-matter key, question heading, option or
reference. When no better line exists (a missing key or file) the line is 1.

==== ======== ======================================================================================
Code Severity Meaning
==== ======== ======================================================================================
F001 error    file is not valid UTF-8 (line of the first bad byte)
F002 error    front matter missing (the file must start with a ``---`` line)
F003 error    front matter not closed (no second ``---`` line)
F004 error    YAML syntax error (line reported by the YAML parser)
F005 error    YAML value is not a mapping where a mapping is expected
F006 error    unknown key
F007 error    required key missing
F008 error    wrong type for a key (the message names the key and the expected type)
F009 error    duplicate key
F010 error    invalid value for a key (out of range, empty, not one of the allowed values)
F011 error    unexpected file in the course folder (or an unsafe path, or content that is not text)
F012 error    Markdown could not be rendered
F999 error    internal error while parsing (a bug; the parser still returns instead of raising)
P001 error    provider.yml missing or unreadable
P002 error    accreditation statement has an unknown or malformed ``{placeholder}``
P003 error    statement uses {provider_number} or {approval_start}/{approval_end} that is not set
P004 error    accreditation approval period ends before it starts
P005 error    accreditation key is not a slug ([a-z0-9_-]+)
P006 warning  provider lists no accreditations
P007 warning  accreditation has the retired ``credit_type`` key (ignored; statements use {credits})
P008 error    provider_number is a placeholder (zeros after an optional letter: ``0000``, ``P0000``)
P009 warning  provider is a specimen (``specimen: true``); its documents say it is not accredited
P010 error    ANCC statement says "approved ... by" ANCC's Commission on Accreditation
P011 error    ce_broker.provider_tracking is not a CE Broker number (digits, without ``50-``), or a
              placeholder (only zeros) of a provider that is not a specimen
P012 error    ce_broker.professions names an unknown profession or a malformed profession code
C001 error    course slug (folder name) is not a slug ([a-z0-9-]+)
C002 error    course.md missing
C003 error    ce_hours is not > 0 or not a multiple of 0.25
C004 error    unknown credit category (general, clinical, ethics, cultural)
C005 error    credits do not sum to ce_hours
C006 error    accreditation key not defined in provider.yml
C007 error    accreditation does not approve the course's format (its ``formats`` list)
C008 error    accreditation listed twice
C009 warning  course lists no accreditations
C010 error    objectives list is empty
C011 error    authors list is empty
C012 error    review_by is more than 3 years after released
C013 error    review_by is not after released
C014 warning  review_by has passed: the catalog hides the course from new enrollments
C015 warning  ce_hours differs from the estimate by more than 25 %
C020 warning  min_minutes is below the default seat-time floor (half the credited minutes)
C021 error    evolving course: review_by is more than 12 months after released
C022 error    ce_broker.course_tracking is not a CE Broker number (digits, without ``20-``), or
              ce_broker names neither course_tracking nor course_id
C023 error    ce_broker.subject_areas names an unknown credit category or a malformed code
L001 error    lesson file name is not ``NN-slug.md``
L002 error    duplicate lesson number
L003 error    duplicate lesson slug
L004 error    course has no lessons
L005 error    lesson's ``objectives`` names a number that is not a course objective
L006 warning  course objective taught by no lesson (only when some lesson names objectives)
Q001 error    quiz.md missing
Q002 error    question has fewer than two options
Q003 error    question has no correct option
Q004 error    duplicate question id (at the second heading)
Q005 error    question id is not a slug ([a-z0-9-]+)
Q006 error    question has no prompt
Q007 error    option has no text
Q008 error    unexpected content after a question's options (only a ``>`` explanation may follow)
Q009 error    quiz has no questions
Q010 error    questions_per_attempt is larger than the question pool
Q011 warning  fewer than 6 questions in the pool per CE hour
Q012 (retired: true/false items now count towards Q022)
Q013 warning  content before the first question is ignored
Q014 error    question has no ``objectives:`` line (the first line after its heading)
Q015 error    malformed ``objectives:`` line (comma-separated 1-based numbers)
Q016 error    question names an objective number that course.md does not have
Q017 warning  correct option longer than 1.5 times the distractors' mean length (characters)
Q018 error    correct option uniquely longest in more than 40 % of single-answer questions
Q019 warning  option reads "all of the above" or "none of the above"
Q020 warning  correct option repeats a run of three content words (stop words left out) of the
              prompt
Q021 error    pool smaller than 1.5 times questions_per_attempt (twice is better)
Q022 error    more than 10 % of the pool has fewer than 3 options (true/false included)
Q023 error    course objective measured by fewer than 2 questions of the pool
Q024 error    questions_per_attempt smaller than the number of objectives (the draw covers each)
R001 error    program slug (folder name under ``_programs/``) is not a slug ([a-z0-9-]+)
R002 error    program.md missing or unreadable
R003 error    program names an unknown course slug (no such course folder) or a malformed one
R004 error    course listed twice in a program (required and elective count as one list)
R005 error    rule is not "all required" or "all required plus N elective(s)"
R006 error    rule cannot be met (asks for more electives than listed) or ignores listed electives
R007 error    order names a course the program does not list, names one twice, or leaves one out
R008 error    unexpected file in a program folder (it holds program.md only)
R009 error    program names no courses
R010 warning  program overview (the body of program.md) is empty
M001 error    file type not allowed under media/ (png, jpg, jpeg, gif, webp, svg)
M002 error    unsafe SVG (script, on* handler, javascript:, external reference, entity, ...)
M003 error    link or image points to a media file that does not exist
M004 error    link leaves the course folder (``../``, absolute or drive path)
M005 error    link uses a URL scheme the renderer removes (javascript:, data:, file:, ...)
M006 warning  image content does not match its extension
==== ======== ======================================================================================
"""

from __future__ import annotations

from dataclasses import dataclass

ERROR = "error"
WARNING = "warning"

CODES: dict[str, tuple[str, str]] = {
    "F001": (ERROR, "file is not valid UTF-8"),
    "F002": (ERROR, "front matter missing"),
    "F003": (ERROR, "front matter not closed"),
    "F004": (ERROR, "YAML syntax error"),
    "F005": (ERROR, "YAML value is not a mapping"),
    "F006": (ERROR, "unknown key"),
    "F007": (ERROR, "required key missing"),
    "F008": (ERROR, "wrong type"),
    "F009": (ERROR, "duplicate key"),
    "F010": (ERROR, "invalid value"),
    "F011": (ERROR, "unexpected file in the course folder"),
    "F012": (ERROR, "Markdown could not be rendered"),
    "F999": (ERROR, "internal error while parsing"),
    "P001": (ERROR, "provider.yml missing or unreadable"),
    "P002": (ERROR, "unknown or malformed statement placeholder"),
    "P003": (ERROR, "statement placeholder has no value"),
    "P004": (ERROR, "approval period ends before it starts"),
    "P005": (ERROR, "accreditation key is not a slug"),
    "P006": (WARNING, "provider lists no accreditations"),
    "P007": (WARNING, "retired credit_type key"),
    "P008": (ERROR, "placeholder provider number"),
    "P009": (WARNING, "specimen provider"),
    "P010": (ERROR, "wrong ANCC wording"),
    "P011": (ERROR, "bad CE Broker provider tracking number"),
    "P012": (ERROR, "bad CE Broker profession code"),
    "C001": (ERROR, "course slug is not a slug"),
    "C002": (ERROR, "course.md missing"),
    "C003": (ERROR, "ce_hours not > 0 or not a multiple of 0.25"),
    "C004": (ERROR, "unknown credit category"),
    "C005": (ERROR, "credits do not sum to ce_hours"),
    "C006": (ERROR, "unknown accreditation"),
    "C007": (ERROR, "accreditation does not approve the course format"),
    "C008": (ERROR, "accreditation listed twice"),
    "C009": (WARNING, "course lists no accreditations"),
    "C010": (ERROR, "no objectives"),
    "C011": (ERROR, "no authors"),
    "C012": (ERROR, "review_by more than 3 years after released"),
    "C013": (ERROR, "review_by not after released"),
    "C014": (WARNING, "review_by has passed"),
    "C015": (WARNING, "ce_hours far from the estimate"),
    "C020": (WARNING, "min_minutes below the default seat-time floor"),
    "C021": (ERROR, "evolving course reviewed later than 12 months after release"),
    "C022": (ERROR, "bad CE Broker course tracking number"),
    "C023": (ERROR, "bad CE Broker subject-area code"),
    "L001": (ERROR, "bad lesson file name"),
    "L002": (ERROR, "duplicate lesson number"),
    "L003": (ERROR, "duplicate lesson slug"),
    "L004": (ERROR, "no lessons"),
    "L005": (ERROR, "lesson names an unknown objective"),
    "L006": (WARNING, "objective taught by no lesson"),
    "Q001": (ERROR, "quiz.md missing"),
    "Q002": (ERROR, "fewer than two options"),
    "Q003": (ERROR, "no correct option"),
    "Q004": (ERROR, "duplicate question id"),
    "Q005": (ERROR, "question id is not a slug"),
    "Q006": (ERROR, "question has no prompt"),
    "Q007": (ERROR, "option has no text"),
    "Q008": (ERROR, "unexpected content after the options"),
    "Q009": (ERROR, "quiz has no questions"),
    "Q010": (ERROR, "questions_per_attempt larger than the pool"),
    "Q011": (WARNING, "too few questions per CE hour"),
    "Q013": (WARNING, "content before the first question ignored"),
    "Q014": (ERROR, "question names no objectives"),
    "Q015": (ERROR, "malformed objectives line"),
    "Q016": (ERROR, "question names an unknown objective"),
    "Q017": (WARNING, "correct option much longer than the distractors"),
    "Q018": (ERROR, "correct option is too often the longest"),
    "Q019": (WARNING, "all/none of the above"),
    "Q020": (WARNING, "correct option repeats the prompt's wording"),
    "Q021": (ERROR, "pool too small for questions_per_attempt"),
    "Q022": (ERROR, "too many questions with fewer than 3 options"),
    "Q023": (ERROR, "objective measured by fewer than 2 questions"),
    "Q024": (ERROR, "questions_per_attempt cannot cover every objective"),
    "R001": (ERROR, "program slug is not a slug"),
    "R002": (ERROR, "program.md missing"),
    "R003": (ERROR, "unknown course in program"),
    "R004": (ERROR, "course listed twice in program"),
    "R005": (ERROR, "malformed program rule"),
    "R006": (ERROR, "program rule cannot be met"),
    "R007": (ERROR, "program order does not match its courses"),
    "R008": (ERROR, "unexpected file in program folder"),
    "R009": (ERROR, "program names no courses"),
    "R010": (WARNING, "program overview empty"),
    "M001": (ERROR, "media file type not allowed"),
    "M002": (ERROR, "unsafe SVG"),
    "M003": (ERROR, "missing media file"),
    "M004": (ERROR, "link leaves the course folder"),
    "M005": (ERROR, "unsafe URL scheme"),
    "M006": (WARNING, "image content does not match its extension"),
}


@dataclass(frozen=True)
class Diagnostic:
    """One problem in course content, printable as ``path:line: severity: code: message``."""

    path: str
    line: int
    severity: str
    code: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.severity}: {self.code}: {self.message}"

    @property
    def is_error(self) -> bool:
        """Tell callers whether this diagnostic blocks sync/publish."""
        return self.severity == ERROR


def diag(path: str, line: int, code: str, message: str) -> Diagnostic:
    """Build a Diagnostic whose severity comes from the code table, so the two never disagree."""
    return Diagnostic(path, max(1, line), CODES[code][0], code, message)


def has_errors(diagnostics: list[Diagnostic]) -> bool:
    """Tell whether any diagnostic blocks sync/publish."""
    return any(d.severity == ERROR for d in diagnostics)


def sort_key(d: Diagnostic) -> tuple[str, int, int, str]:
    """Order diagnostics by file and line, errors before warnings on the same line."""
    return (d.path, d.line, 0 if d.severity == ERROR else 1, d.code)
