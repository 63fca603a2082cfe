"""People, their channel identities, roles in units and invites."""
