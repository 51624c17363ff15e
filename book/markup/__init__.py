"""Stage 3: Markdown -> chapter HTML: parser rules, the checking pass, the writer, tables and
figures, the checks across chapters, and --fix-names."""
