"""Learning: enrollment, lesson progress and seat time, post-test attempts, the evaluation, the gate."""
