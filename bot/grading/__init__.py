"""Answer grading: the lexical grader (default), its evaluation, and the optional semantic stage."""
