"""Stage 5: pages -> files: finishers (page labels, print, screen), the cover, the booklet."""
