"""The license tracker: a learner's licenses, their CE requirements, and CE earned elsewhere."""
