"""The catalog: courses, their published revisions, lessons and questions; sync from content/."""
