"""Data that ships with linkgraph: the national administrative roster (see SOURCE.md)."""
