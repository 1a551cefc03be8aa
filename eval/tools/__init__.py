"""Tools that build and check the evaluation datasets (not used when the suite runs)."""
