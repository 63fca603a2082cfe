"""The neutral bottom layer: messages, errors, i18n, clock, text folding. Imports nothing of ours."""
