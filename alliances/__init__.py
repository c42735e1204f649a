"""Countries, alliances with their memberships, and treaties."""
