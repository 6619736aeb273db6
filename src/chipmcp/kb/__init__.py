"""The knowledge base: the records of knowledge/, the build that turns them into one SQLite file, and the
read-only store that answers typed queries. The one SQLite schema, on both sides."""
