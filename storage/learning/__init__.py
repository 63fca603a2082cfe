"""Legal-awareness learning: the lesson files, residents' progress and quiz answers, weekly
campaigns and opt-outs (models, services, permissions, queries)."""
