"""fttui: a terminal client for the finetuning.ai music-generation API."""

__version__ = "0.1.0"
