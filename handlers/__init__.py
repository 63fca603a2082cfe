"""Channel-neutral conversation flows and commands. Nothing here imports a channel or a platform SDK."""
