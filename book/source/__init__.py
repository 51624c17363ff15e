"""Stage 1: files -> validated records: YAML with line numbers, every schema declared once (book.yaml,
front matter, names.yaml, sources.yaml), the registry's own checks."""
