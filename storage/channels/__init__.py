"""Tables the channel adapters keep for themselves (web chat history and keys, Zalo events and tokens)."""
