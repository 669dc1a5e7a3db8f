"""Programs: courses bundled by a rule, program enrollment, progress and the program certificate."""
