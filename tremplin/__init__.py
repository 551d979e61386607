"""Tremplin: the Cnam's training offer for learners in detention and young people of the missions locales."""

__version__ = "0.1.0"
