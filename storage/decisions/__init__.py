"""Village decisions and votes (Law 10/2022 Art. 15–22, Decree 59/2023): the decision, its
electorate fixed at the opening, one vote per household, the secret ballot box, the close and
tally, minutes and the report to the commune (models, services, permissions, queries, rules)."""
