"""Certificates: issuing, the PDF, verification, transcripts and revocation."""

# Printed on every certificate, transcript and verification page of a specimen provider
# (provider.yml `specimen: true`), so an example document is never taken for a real one.
SPECIMEN_NOTICE = (
    "SPECIMEN \u2014 issued by an example provider that holds no accreditation. "
    "Not valid for continuing education credit."
)
