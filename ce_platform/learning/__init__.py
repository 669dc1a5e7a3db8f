"""Learning: enrollment, progress and seat time, post-test attempts, evaluation, the gate."""
