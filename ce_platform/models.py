"""Every feature's models, imported in one place so the metadata (and Alembic) sees them all."""

from ce_platform.accounts.models import ApiToken, User  # noqa: F401
from ce_platform.authoring.models import Draft, DraftFile  # noqa: F401
from ce_platform.catalog.models import (  # noqa: F401
    Course,
    CourseInstructor,
    CourseRevision,
    Lesson,
    Question,
    RevisionFile,
)
from ce_platform.certificates.models import Certificate  # noqa: F401
from ce_platform.core.audit import AuditEvent  # noqa: F401
from ce_platform.credentials.models import Credential, CredentialPreference  # noqa: F401
from ce_platform.jobs.models import Job  # noqa: F401
from ce_platform.learning.models import (  # noqa: F401
    Enrollment,
    Evaluation,
    LessonProgress,
    QuizAttempt,
)
from ce_platform.licenses.models import ExternalCredit, License  # noqa: F401
from ce_platform.programs.models import (  # noqa: F401
    Program,
    ProgramCertificate,
    ProgramEnrollment,
    ProgramRevision,
)
