"""The version of slideshow, in a module of its own so any part can name it without
importing the whole package."""

__version__ = "0.1.0"
