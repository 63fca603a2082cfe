"""Consultations on drafts (Law 10/2022 Art. 25–32): a draft published for comment to the residents
of some units, their comments, the officials' replies and the closing summary ("tiếp thu, giải
trình") (models, services, permissions, queries)."""
