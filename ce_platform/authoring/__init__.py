"""Authoring: instructors edit a course's files in a draft, preview them, and publish revisions."""
