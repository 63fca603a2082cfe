"""Legal-awareness lessons, quizzes, progress and weekly campaigns."""
