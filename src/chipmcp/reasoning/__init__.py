"""Reasoning over the knowledge base: Cells (a chosen figure with its ends and claims), the one rule that
chooses them, every comparable metric as a Cell, the catalog as columns, and export-control standing."""
