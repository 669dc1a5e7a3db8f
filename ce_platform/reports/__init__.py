"""Reports for instructors and the CE provider: rosters, CSV exports, item analysis, evaluations."""
