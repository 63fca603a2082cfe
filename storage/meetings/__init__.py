"""Village meetings: the announcement (agenda, time, place), households' attendance, reminders and
the minutes; a meeting may name the village decision whose tally is entered for it."""
