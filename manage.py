#!/usr/bin/env python
"""Django's manage.py, for developers' habits; `tremplin` is the same thing."""

from tremplin.cli import main

if __name__ == "__main__":
    main()
