"""One module per exercise: its CHECKS, the CaseSpecs behind its comparisons, and MISTAKES texts."""
