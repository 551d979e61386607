"""The delivery pages, by sub-area: material, packages, exams, hand-overs."""
