"""The emails clinicians expect: each a job, rendered from a template pair when it runs."""
