"""Safe houses, placements, movements, exposures and the burn view."""
