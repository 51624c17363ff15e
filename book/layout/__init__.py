"""Stage 4: Book -> pages: templates, WeasyPrint layout, the bibliography, the index of names and
its collation."""
